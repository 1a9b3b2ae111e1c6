//! LDAP logins verified against a real directory: the test starts its own OpenLDAP `slapd` on a
//! loopback port with a configuration in a temporary directory, seeds users, and logs in through
//! the verifier. Each check failing on its own answers Infisical's status and message.
//!
//! `slapd` comes from Debian's `slapd` package (`tests/ldap/install.sh` installs it). Without it
//! the tests print why and pass, unless `REQUIRE_SLAPD=1` is set (as in CI), when they fail.

mod common;
mod verify_support;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use infisical_auth_reference::verify::ldap::{self, LdapSettings};
use infisical_auth_reference::verify::VerifiedIdentity;
use ldap3::{LdapConnAsync, LdapConnSettings};
use verify_support::*;

const SUFFIX: &str = "dc=example,dc=org";
const ROOT_DN: &str = "cn=admin,dc=example,dc=org";
const ROOT_PW: &str = "admin-secret";

fn slapd_binary() -> Option<PathBuf> {
    [
        "/usr/sbin/slapd",
        "/usr/local/sbin/slapd",
        "/usr/local/libexec/slapd",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|path| path.exists())
}

/// A `slapd` this test started; stopped and its files removed on drop.
struct Slapd {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory of the schema files and of the backend modules of this slapd installation.
fn slapd_paths() -> (PathBuf, Option<PathBuf>) {
    let schema = [
        "/etc/ldap/schema",
        "/etc/openldap/schema",
        "/usr/local/etc/openldap/schema",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|path| path.join("core.schema").exists())
    .unwrap_or_else(|| PathBuf::from("/etc/ldap/schema"));
    let modules = ["/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.join("back_mdb.so").exists() || path.join("back_mdb.la").exists());
    (schema, modules)
}

/// Starts slapd, or answers `None` (after saying why) when it is not installed and not required.
fn start_slapd(test: &str) -> Option<Slapd> {
    let Some(binary) = slapd_binary() else {
        if std::env::var("REQUIRE_SLAPD").as_deref() == Ok("1") {
            panic!("REQUIRE_SLAPD=1 but slapd is not installed: run crates/infisical-auth-reference/tests/ldap/install.sh");
        }
        eprintln!(
            "SKIPPED {test}: slapd is not installed (run crates/infisical-auth-reference/tests/ldap/install.sh, or set REQUIRE_SLAPD=1 to make this a failure)"
        );
        return None;
    };
    let dir =
        std::env::temp_dir().join(format!("infisical-ref-slapd-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let (schema, modules) = slapd_paths();
    let module_lines = match modules {
        Some(path) => format!("modulepath {}\nmoduleload back_mdb\n", path.display()),
        None => String::new(),
    };
    let config = format!(
        "include {schema}/core.schema\n\
         include {schema}/cosine.schema\n\
         include {schema}/nis.schema\n\
         include {schema}/inetorgperson.schema\n\
         pidfile {dir}/slapd.pid\n\
         {module_lines}\
         database mdb\n\
         maxsize 10485760\n\
         suffix \"{SUFFIX}\"\n\
         rootdn \"{ROOT_DN}\"\n\
         rootpw {ROOT_PW}\n\
         directory {dir}/data\n\
         access to attrs=userPassword by anonymous auth by self read by * none\n\
         access to * by users read by * none\n",
        schema = schema.display(),
        dir = dir.display(),
    );
    let conf = dir.join("slapd.conf");
    std::fs::write(&conf, config).unwrap();

    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("ldap://127.0.0.1:{port}");
    let child = Command::new(&binary)
        .arg("-f")
        .arg(&conf)
        .arg("-h")
        .arg(format!("{url}/"))
        // Stay in the foreground (a debug level keeps slapd from forking), quietly.
        .args(["-d", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start slapd");
    let mut slapd = Slapd { child, dir, url };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = slapd.child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut err) = slapd.child.stderr.take() {
                use std::io::Read;
                let _ = err.read_to_string(&mut stderr);
            }
            panic!("slapd exited ({status}): {stderr}");
        }
        assert!(Instant::now() < deadline, "slapd did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(slapd)
}

/// Adds the tree the tests log in against.
async fn seed(url: &str) {
    let (conn, mut ldap) = LdapConnAsync::with_settings(LdapConnSettings::new(), url)
        .await
        .unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(ROOT_DN, ROOT_PW)
        .await
        .unwrap()
        .success()
        .unwrap();
    let add = |dn: &str, attrs: Vec<(&str, Vec<&str>)>| {
        let dn = dn.to_owned();
        let attrs: Vec<(String, std::collections::HashSet<String>)> = attrs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
            .collect();
        (dn, attrs)
    };
    let person = |uid: &'static str,
                  password: &'static str,
                  extra: Vec<(&'static str, Vec<&'static str>)>| {
        let mut attrs = vec![
            ("objectClass", vec!["inetOrgPerson"]),
            ("uid", vec![uid]),
            ("cn", vec![uid]),
            ("sn", vec![uid]),
            ("userPassword", vec![password]),
        ];
        attrs.extend(extra);
        attrs
    };
    let entries = vec![
        add(
            SUFFIX,
            vec![
                ("objectClass", vec!["dcObject", "organization"]),
                ("dc", vec!["example"]),
                ("o", vec!["Example"]),
            ],
        ),
        add(
            "ou=people,dc=example,dc=org",
            vec![
                ("objectClass", vec!["organizationalUnit"]),
                ("ou", vec!["people"]),
            ],
        ),
        add(
            "ou=contractors,dc=example,dc=org",
            vec![
                ("objectClass", vec!["organizationalUnit"]),
                ("ou", vec!["contractors"]),
            ],
        ),
        add(
            "cn=reader,dc=example,dc=org",
            vec![
                (
                    "objectClass",
                    vec!["simpleSecurityObject", "organizationalRole"],
                ),
                ("cn", vec!["reader"]),
                ("userPassword", vec!["reader-secret"]),
            ],
        ),
        add(
            "uid=alice,ou=people,dc=example,dc=org",
            person(
                "alice",
                "alice-pw",
                vec![
                    ("departmentNumber", vec!["eng"]),
                    ("mail", vec!["alice@example.org"]),
                ],
            ),
        ),
        add(
            "uid=bob,ou=people,dc=example,dc=org",
            person("bob", "bob-pw", vec![("departmentNumber", vec!["sales"])]),
        ),
        add(
            "uid=carol,ou=people,dc=example,dc=org",
            person("carol", "carol-pw", vec![]),
        ),
        add(
            "uid=dup,ou=people,dc=example,dc=org",
            person("dup", "dup-pw", vec![("departmentNumber", vec!["eng"])]),
        ),
        add(
            "uid=dup,ou=contractors,dc=example,dc=org",
            person("dup", "dup-pw", vec![("departmentNumber", vec!["eng"])]),
        ),
    ];
    for (dn, attrs) in entries {
        ldap.add(&dn, attrs).await.unwrap().success().unwrap();
    }
    ldap.unbind().await.unwrap();
}

fn settings(url: &str) -> LdapSettings {
    LdapSettings {
        url: url.to_owned(),
        bind_dn: "cn=reader,dc=example,dc=org".into(),
        bind_pass: "reader-secret".into(),
        search_base: SUFFIX.into(),
        search_filter: "(uid={{username}})".into(),
        allowed_fields: vec![("departmentNumber".into(), "eng,platform".into())],
    }
}

const TIMEOUT: Duration = Duration::from_secs(2);

#[tokio::test]
async fn ldap_logins_bind_search_rebind_and_check_allowed_fields() {
    let Some(slapd) = start_slapd("logins") else {
        return;
    };
    seed(&slapd.url).await;
    let settings = settings(&slapd.url);

    let verified = ldap::verify(&settings, "alice", "alice-pw", TIMEOUT)
        .await
        .unwrap();
    assert_eq!(
        verified,
        VerifiedIdentity::Ldap {
            dn: "uid=alice,ou=people,dc=example,dc=org".into(),
            username: "alice".into()
        }
    );

    let failed = "LDAP authentication failed";
    assert_failure(
        ldap::verify(&settings, "alice", "wrong", TIMEOUT).await,
        401,
        failed,
    );
    assert_failure(
        ldap::verify(&settings, "alice", "", TIMEOUT).await,
        401,
        failed,
    );
    assert_failure(
        ldap::verify(&settings, "nobody", "x", TIMEOUT).await,
        401,
        failed,
    );
    // Two entries answer the filter: refused, not the first taken.
    assert_failure(
        ldap::verify(&settings, "dup", "dup-pw", TIMEOUT).await,
        401,
        failed,
    );
    // The username is escaped into the filter: neither a wildcard nor a filter injection finds
    // anyone.
    assert_failure(
        ldap::verify(&settings, "*", "alice-pw", TIMEOUT).await,
        401,
        failed,
    );
    assert_failure(
        ldap::verify(&settings, "alice)(uid=*", "alice-pw", TIMEOUT).await,
        401,
        failed,
    );
    assert_failure(
        ldap::verify(&settings, "al*", "alice-pw", TIMEOUT).await,
        401,
        failed,
    );

    assert_failure(
        ldap::verify(&settings, "bob", "bob-pw", TIMEOUT).await,
        401,
        "Invalid request. User field 'departmentNumber' does not match required fields.",
    );
    assert_failure(
        ldap::verify(&settings, "carol", "carol-pw", TIMEOUT).await,
        401,
        "Invalid request. Missing field departmentNumber on user.",
    );

    // The service account's own credentials are wrong.
    let mut wrong_bind = settings.clone();
    wrong_bind.bind_pass = "nope".into();
    assert_failure(
        ldap::verify(&wrong_bind, "alice", "alice-pw", TIMEOUT).await,
        401,
        failed,
    );
    assert!(
        !format!("{wrong_bind:?}").contains("nope"),
        "Debug redacts the bind password"
    );

    // A narrower search base and a custom filter.
    let mut people = settings.clone();
    people.search_base = "ou=people,dc=example,dc=org".into();
    people.search_filter = "(&(objectClass=inetOrgPerson)(uid={{username}}))".into();
    people.allowed_fields.clear();
    ldap::verify(&people, "dup", "dup-pw", TIMEOUT)
        .await
        .unwrap();
    ldap::verify(&people, "bob", "bob-pw", TIMEOUT)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_directory_that_is_down_or_hangs_is_a_quick_401() {
    let failed = "LDAP authentication failed";
    let down = closed_port().await;
    assert_failure(
        ldap::verify(
            &settings(&format!("ldap://{down}")),
            "alice",
            "alice-pw",
            TIMEOUT,
        )
        .await,
        401,
        failed,
    );
    let hanging = silent_server().await;
    let start = Instant::now();
    assert_failure(
        ldap::verify(
            &settings(&format!("ldap://{hanging}")),
            "alice",
            "alice-pw",
            Duration::from_millis(500),
        )
        .await,
        401,
        failed,
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert_failure_starts(
        ldap::verify(
            &settings("ldaps://127.0.0.1:636"),
            "alice",
            "alice-pw",
            TIMEOUT,
        )
        .await,
        401,
        "LDAP auth over TLS (ldaps://)",
    );
}

#[tokio::test]
async fn ldap_login_end_to_end_with_lockout_and_clear_lockouts() {
    use common::{api_error, body, start};
    use infisical_auth_client::types;
    use serde_json::json;

    let Some(slapd) = start_slapd("e2e") else {
        return;
    };
    seed(&slapd.url).await;
    let server = start().await;
    let identity = server.new_identity().await;
    server
        .admin
        .attach_ldap_auth()
        .identity_id(&identity)
        .body(body::<types::AttachLdapAuthBody>(json!({
            "url": slapd.url,
            "bindDN": "cn=reader,dc=example,dc=org",
            "bindPass": "reader-secret",
            "searchBase": SUFFIX,
            "allowedFields": [{ "key": "departmentNumber", "value": "eng" }],
            "lockoutThreshold": 2,
            "lockoutDurationSeconds": 60,
            "accessTokenTTL": 900,
        })))
        .send()
        .await
        .expect("attach LDAP auth");
    let login = |username: &'static str, password: &'static str| {
        let server = &server;
        let identity = identity.clone();
        async move {
            server
                .anon
                .login_with_ldap_auth()
                .body(body::<types::LoginWithLdapAuthBody>(json!({
                    "identityId": identity, "username": username, "password": password
                })))
                .send()
                .await
        }
    };
    let message = |error: &types::ErrorResponse| {
        (
            error.status_code,
            serde_json::to_value(error).unwrap()["message"].clone(),
        )
    };

    let answer = login("alice", "alice-pw")
        .await
        .expect("login")
        .into_inner();
    assert_eq!(answer.expires_in, 900);
    let path = format!("/api/v1/auth/ldap-auth/identities/{identity}");
    assert_eq!(
        server
            .raw(
                "GET",
                &path,
                Some(answer.access_token.expose_secret()),
                None
            )
            .await
            .0,
        200
    );

    let error = api_error(login("bob", "bob-pw").await);
    assert_eq!(
        message(&error),
        (
            401,
            json!("Invalid request. User field 'departmentNumber' does not match required fields.")
        )
    );

    // Two wrong passwords lock alice (the second still answers its own failure); bob is not
    // locked by them.
    for _ in 0..2 {
        let error = api_error(login("alice", "wrong").await);
        assert_eq!(message(&error), (401, json!("LDAP authentication failed")));
    }
    let error = api_error(login("alice", "alice-pw").await);
    assert_eq!(
        message(&error),
        (
            401,
            json!("This identity auth method is temporarily locked, please try again later")
        )
    );
    let cleared = server
        .admin
        .clear_ldap_auth_lockouts()
        .identity_id(&identity)
        .send()
        .await
        .expect("clear lockouts")
        .into_inner();
    assert_eq!(cleared.deleted, 2, "alice's lock and bob's count");
    login("alice", "alice-pw")
        .await
        .expect("login after clearing");
}
