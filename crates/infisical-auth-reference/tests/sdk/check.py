"""Infisical's official Python SDK (PyPI `infisicalsdk`) against the reference server.

    python check.py BASE CLIENT_ID CLIENT_SECRET

Checks what a user of the SDK relies on: universal-auth login, token renew (the SDK has no renew
method; its request layer is used, which by then sends the access token as bearer), Infisical's
message for a wrong client secret, and a 413 that `requests` can read although it writes an 8 MiB
body in full before reading the answer.
"""

import sys

import requests
from infisical_sdk import InfisicalSDKClient
from infisical_sdk.api_types import MachineIdentityLoginResponse
from infisical_sdk.infisical_requests import APIError

base, client_id, client_secret = sys.argv[1:4]


def check(condition, what):
    if not condition:
        raise SystemExit(f"python sdk: FAILED: {what}")
    print(f"python sdk: ok: {what}")


client = InfisicalSDKClient(host=base)
login = client.auth.universal_auth.login(client_id=client_id, client_secret=client_secret)
check(login.tokenType == "Bearer" and len(login.accessToken) > 0, "universal-auth login")
check(isinstance(login.expiresIn, int) and login.expiresIn > 0, "expiresIn is an integer")

renewed = client.api.post(
    path="/api/v1/auth/token/renew",
    json={"accessToken": login.accessToken},
    model=MachineIdentityLoginResponse,
).data
check(renewed.accessToken == login.accessToken, "token renew (with the token as bearer)")

# A second login: the session still sends the first token as bearer, which must not matter.
again = client.auth.universal_auth.login(client_id=client_id, client_secret=client_secret)
check(again.accessToken != login.accessToken, "a second login with a bearer header set")

try:
    InfisicalSDKClient(host=base).auth.universal_auth.login(
        client_id=client_id, client_secret="not-the-secret"
    )
    check(False, "a wrong client secret is refused")
except APIError as error:
    check(error.status_code == 401, "a wrong client secret is a 401")
    check(
        error.response.get("message") == "Invalid credentials"
        and str(error).startswith("Invalid credentials"),
        f"Infisical's message for a wrong client secret ({error})",
    )

answer = requests.post(
    f"{base}/api/v1/auth/universal-auth/login",
    data=b" " * (8 * 1024 * 1024),
    headers={"Content-Type": "application/json"},
    timeout=60,
)
check(
    answer.status_code == 413 and answer.json().get("error") == "PayloadTooLarge",
    "an 8 MiB body sent by requests gets its 413",
)
