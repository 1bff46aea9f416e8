//! What the OpenAPI document says once for every operation rather than in each handler: the
//! bearer scheme, and the answers the middleware gives before any handler runs.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, ResponseBuilder};

/// The name of the security scheme in the document.
const BEARER: &str = "bearer";

fn error_answer(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    )
}

fn add_common_answers(operation: &mut Operation, tenant_scoped: bool) {
    let responses = &mut operation.responses.responses;
    let unauthenticated = error_answer("`unauthenticated`: no valid bearer token")
        .header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("`Bearer`"))
                .build(),
        )
        .build();
    responses.insert("401".into(), unauthenticated.into());
    if tenant_scoped {
        let forbidden = error_answer(
            "`tenant_forbidden`: the token is not for this tenant (the same answer whether or \
             not the tenant exists)",
        );
        responses.insert("403".into(), forbidden.build().into());
    }
    let internal = error_answer("`internal_error`: details are in the server's log");
    responses.insert("500".into(), internal.build().into());
}

/// Adds the bearer scheme, required everywhere, and the common answers to every operation.
pub(crate) fn complete(document: &mut OpenApi) {
    let scheme = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .description(Some(
            "A token of the tenant in the path (one or more per tenant; see \
             docs/SETTINGS-API.md). The server holds only its SHA-256.",
        ))
        .build();
    document
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    document.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
    for (path, item) in document.paths.paths.iter_mut() {
        let tenant_scoped = path.contains("{tenant}");
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            add_common_answers(operation, tenant_scoped);
        }
    }
}
