// Infisical's official Node SDK (npm `@infisical/sdk`) against the reference server.
//
//     node check.cjs BASE CLIENT_ID CLIENT_SECRET      (NODE_PATH pointing at its node_modules)
//
// Checks universal-auth login, renew (the SDK sends the token as bearer and in the body),
// Infisical's message for a wrong client secret, and, through the SDK's own HTTP client, a
// form-encoded login at a path with a trailing slash.
"use strict";
const { InfisicalSDK } = require("@infisical/sdk");

const [base, clientId, clientSecret] = process.argv.slice(2);

function check(condition, what) {
  if (!condition) {
    console.error(`node sdk: FAILED: ${what}`);
    process.exit(1);
  }
  console.log(`node sdk: ok: ${what}`);
}

async function main() {
  const sdk = new InfisicalSDK({ siteUrl: base });
  await sdk.auth().universalAuth.login({ clientId, clientSecret });
  const token = sdk.auth().getAccessToken();
  check(typeof token === "string" && token.length > 0, "universal-auth login");

  await sdk.auth().universalAuth.renew();
  check(sdk.auth().getAccessToken() === token, "token renew");

  try {
    await new InfisicalSDK({ siteUrl: base })
      .auth()
      .universalAuth.login({ clientId, clientSecret: "not-the-secret" });
    check(false, "a wrong client secret is refused");
  } catch (error) {
    check(
      /\[StatusCode=401\] Invalid credentials$/.test(error.message),
      `Infisical's message for a wrong client secret (${error.message})`,
    );
  }

  // The SDK's HTTP client can send forms; older SDKs and the agent log in that way, with a slash.
  const answer = await sdk.apiClient.post(
    "/api/v1/auth/universal-auth/login/",
    { clientId, clientSecret },
    { headers: { "Content-Type": "application/x-www-form-urlencoded" } },
  );
  check(
    answer.tokenType === "Bearer" && answer.accessToken.length > 0,
    "a form-encoded login at .../login/ through the SDK's HTTP client",
  );
}

main().catch((error) => {
  console.error(`node sdk: FAILED: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
