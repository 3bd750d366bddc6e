// How a user runs dbsim, in every command dbsim prints for them to run (reproduce lines, resume,
// replay): `dbsim` is not on a newcomer's PATH, `npx dbsim` works in the checkout (and wherever
// the package is installed).
export const DBSIM = "npx dbsim";
