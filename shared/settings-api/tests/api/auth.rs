//! Authentication and tenant scoping on every route, and the answers for unknown paths.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{
    ACME_TOKEN, ACME_TOKEN_2, GLOBEX_TOKEN, TestApi, json_of, settings_body, user_path,
};

/// Every (method, path) of the generated OpenAPI document, with `{tenant}` and `{user}` filled.
fn documented_routes(tenant: &str, user: &str) -> Vec<(Method, String)> {
    let document: Value = serde_json::from_str(&ohsync_settings_api::openapi_json()).unwrap();
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let path = path.replace("{tenant}", tenant).replace("{user}", user);
            routes.push((method, path));
        }
    }
    routes
}

async fn call(
    api: &TestApi,
    method: &Method,
    path: &str,
    authorization: Option<&str>,
) -> reqwest::Response {
    let mut request = api
        .request(method.clone(), path, None)
        .json(&settings_body(json!({})));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn every_documented_route_needs_a_token_of_its_tenant() {
    let api = TestApi::start().await;
    let routes = documented_routes("acme", "jan");
    assert_eq!(routes.len(), 7, "{routes:?}");
    let acme = format!("Bearer {ACME_TOKEN}");
    let globex = format!("Bearer {GLOBEX_TOKEN}");
    for (method, path) in &routes {
        let wrong = [
            None,
            Some("Bearer not-a-token"),
            Some("Bearer"),
            Some("Basic YWNtZTpqYW4="),
            Some(&acme[..acme.len() - 1]),
        ];
        for authorization in wrong {
            let response = call(&api, method, path, authorization).await;
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer",
                "{method} {path}"
            );
            let (status, body) = json_of(response).await;
            assert_eq!(
                (status, &body["code"]),
                (401, &json!("unauthenticated")),
                "{method} {path} {authorization:?}"
            );
        }
        let (status, body) = json_of(call(&api, method, path, Some(&globex)).await).await;
        if path.contains("/tenants/acme/") {
            assert_eq!(
                (status, &body["code"]),
                (403, &json!("tenant_forbidden")),
                "{method} {path}"
            );
        } else {
            assert_eq!(
                status, 200,
                "{method} {path}: a route without a tenant takes any valid token"
            );
        }
    }
    assert!(
        api.stored("jan").await.is_none(),
        "no refused call changed anything"
    );
    assert!(api.jobs.jobs.lock().unwrap().is_empty());
    assert!(api.checker.calls.lock().unwrap().is_empty());

    // The same routes with a right token pass the check (whatever they answer then).
    for (method, path) in &routes {
        let (status, body) = json_of(call(&api, method, path, Some(&acme)).await).await;
        assert!(![401, 403].contains(&status), "{method} {path}: {body}");
    }
}

#[tokio::test]
async fn a_forbidden_answer_does_not_tell_whether_the_tenant_exists() {
    let api = TestApi::start().await;
    let saved = api
        .request(
            Method::PUT,
            &user_path("globex", "piet", "/exchange-settings"),
            Some(GLOBEX_TOKEN),
        )
        .json(&settings_body(json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 201);
    let mut answers = Vec::new();
    for tenant in ["globex", "initech"] {
        let response = api
            .request(
                Method::GET,
                &user_path(tenant, "piet", "/exchange-settings"),
                Some(ACME_TOKEN),
            )
            .send()
            .await
            .unwrap();
        answers.push(json_of(response).await);
    }
    assert_eq!(answers[0].0, 403);
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn a_tenant_may_have_several_tokens_and_the_scheme_any_case() {
    let api = TestApi::start().await;
    for authorization in [
        format!("Bearer {ACME_TOKEN_2}"),
        format!("bearer {ACME_TOKEN}"),
        format!("BEARER  {ACME_TOKEN} "),
    ] {
        let response = api
            .request(
                Method::GET,
                &user_path("acme", "jan", "/exchange-settings"),
                None,
            )
            .header("Authorization", authorization.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            404,
            "{authorization}: authenticated, nothing saved"
        );
    }
}

#[tokio::test]
async fn unknown_paths_methods_and_user_ids_answer_in_json() {
    let api = TestApi::start().await;
    let (status, body) = json_of(
        api.request(Method::GET, "/v2/whatever", Some(ACME_TOKEN))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &body["code"]), (404, &json!("route_not_found")));
    let (status, body) = json_of(
        api.request(Method::GET, "/", None)
            .header("Accept-Language", "en")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, &body["text"]),
        (
            404,
            &json!("This address does not exist in the ohsync settings API.")
        )
    );
    let (status, body) = json_of(
        api.acme(Method::PATCH, "jan", "/exchange-settings")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &body["code"]), (405, &json!("method_not_allowed")));
    let (status, body) = json_of(
        api.acme(Method::GET, "jan%20bakker", "/exchange-settings")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, &body["code"], &body["field"]),
        (400, &json!("user_id_invalid"), &json!("user"))
    );
    let (status, body) = json_of(
        api.acme(Method::GET, "%FF", "/exchange-settings")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (404, &json!("route_not_found")),
        "{body}"
    );
}
