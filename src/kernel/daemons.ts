// User-space programs known by the kernel interfaces they register with: a name is only a hint
// (scored below what the socket itself shows), but it is knowledge about the box, kept as data.

/** Programs that register as the audit daemon on the audit netlink socket (AUDIT_SET pid). */
export const AUDIT_DAEMON_COMMS = /audit|beat|osquery|laurel|go-audit/i;
