//! What real clients send that the spec does not foresee, through the real router.

mod common;

use axum::http::StatusCode;
use common::{TestApp, assert_error, backend_tests};

backend_tests!(a_bearer_of_none_is_no_credential);

/// PyIceberg 0.12 configured without credentials sends `Authorization: Bearer None`.
async fn a_bearer_of_none_is_no_credential(app: TestApp) {
    for header in ["Bearer None", "Bearer ", "bearer None"] {
        let auth = [("authorization", header)];
        let (status, _, body) = app.get("/v1/default/namespaces", None, &auth).await;
        assert_eq!(status, StatusCode::OK, "{header:?} without auth: {body}");
    }
    let secured = TestApp::secured(app.backend).await;
    let auth = [("authorization", "Bearer None")];
    let r = secured.get("/v1/default/namespaces", None, &auth).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    assert!(
        r.2["error"]["message"]
            .as_str()
            .unwrap()
            .contains("required")
    );
    // Discovery answers it like an anonymous caller.
    let (status, _, _) = secured
        .get("/v1/config?warehouse=default", None, &auth)
        .await;
    assert_eq!(status, StatusCode::OK);
    // Anything else that is not a token stays a 401.
    let r = secured
        .get(
            "/v1/default/namespaces",
            None,
            &[("authorization", "Bearer null")],
        )
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
}
