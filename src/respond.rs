//! Response helpers shared by the features' pages and server functions.
/// Sets the HTTP status of the page or server function being answered (server only;
/// nothing to do in the browser).
pub fn set_response_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(code)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status))
    {
        response.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}
