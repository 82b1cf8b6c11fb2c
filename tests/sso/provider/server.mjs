// The OpenID Connect provider of the single sign-on tests: oauth2-mock-server (installed by
// bin/_oidc.sh into OIDC_MODULES), on a free loopback port. Its authorization endpoint approves
// at once; the person it signs in is read from CLAIMS_FILE (JSON: sub, email, email_verified,
// name) at each token and userinfo request, so every test chooses its own. Prints its issuer
// URL on the first line once it listens; stops on SIGTERM.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.env.OIDC_MODULES;
const claimsFile = process.env.CLAIMS_FILE;
const require = createRequire(path.resolve(modules, "package.json"));
const { OAuth2Server } = await import(pathToFileURL(require.resolve("oauth2-mock-server")).href);

const claims = () => JSON.parse(readFileSync(claimsFile, "utf8"));

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token) => {
  Object.assign(token.payload, claims());
});
server.service.on("beforeUserinfo", (userInfoResponse) => {
  userInfoResponse.body = claims();
});
await server.start(0, "127.0.0.1");
// The library names its issuer "localhost", which may resolve to ::1 where nothing listens.
server.issuer.url = `http://127.0.0.1:${server.address().port}`;
console.log(server.issuer.url);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
