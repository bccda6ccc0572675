// Stands in for the `is-in-ci` package (wired in by scripts/build.mjs and vitest.config.ts).
// Ink imports it to decide whether to draw: with CI or CONTINUOUS_INTEGRATION set it writes only
// the last frame, on exit. wedgetop mounts Ink only when stdin and stdout are terminals, so a
// terminal is there whatever the environment says: an admin whose shell exports CI=true (a CI
// runner being debugged, a build box) must still see the live screen.
const isInCi = false;
export default isInCi;
