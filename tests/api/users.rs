use leptos::server_fn::ServerFn;
use scrutiny::{
    auth::api::{AddUser, ChangePassword, SetUserDisabled},
    roles::Role,
};

use crate::helpers::{new_client, spawn_app, TEST_PASSWORD};

async fn post_form(client: &reqwest::Client, url: String, fields: &[(&str, &str)]) -> String {
    let r = client.post(url).header("accept", "text/html").form(fields).send().await.unwrap();
    assert_eq!(r.status(), 302, "form posts redirect back");
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn admins_add_and_disable_users_in_the_dashboard() {
    let app = spawn_app().await; // app.client is an admin
    let back = post_form(
        &app.client,
        app.url(AddUser::PATH),
        &[("email", "new.viewer@force.example"), ("role", "viewer"), ("password", "short")],
    )
    .await;
    let page = app.get(&back).await.text().await.unwrap();
    assert!(page.contains("at least 12 characters"), "{page}");
    assert!(page.contains("new.viewer@force.example"), "typed email kept");

    post_form(
        &app.client,
        app.url(AddUser::PATH),
        &[("email", "new.viewer@force.example"), ("role", "viewer"), ("password", "a long first password")],
    )
    .await;
    let list = app.get("/admin/users").await.text().await.unwrap();
    assert!(list.contains("new.viewer@force.example"));
    let viewer = new_client();
    let r = viewer
        .post(app.url("/admin/login"))
        .form(&[("email", "new.viewer@force.example"), ("password", "a long first password"), ("next", "/admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(viewer.get(app.url("/admin/users")).send().await.unwrap().status(), 403, "viewers cannot manage users");

    post_form(
        &app.client,
        app.url(SetUserDisabled::PATH),
        &[("email", "new.viewer@force.example"), ("disabled", "true")],
    )
    .await;
    assert_eq!(viewer.get(app.url("/admin")).send().await.unwrap().status(), 303, "disabled: signed out");
    let audit = app.get("/admin/audit?action=user_added").await.text().await.unwrap();
    assert!(audit.contains("new.viewer@force.example"));
    assert!(audit.contains("<td>User added</td>"), "actions in words");
    assert!(!audit.contains("<td>Signed in</td>"), "filtered by action");
}

#[tokio::test]
async fn users_change_their_own_password() {
    let app = spawn_app().await;
    let me = app.client_as(Role::Coordinator).await;
    let back = post_form(
        &me,
        app.url(ChangePassword::PATH),
        &[("current", "wrong password here"), ("new", "brand new password"), ("confirm", "brand new password")],
    )
    .await;
    assert!(me
        .get(app.url(&back))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("current password is not right"));
    post_form(
        &me,
        app.url(ChangePassword::PATH),
        &[("current", TEST_PASSWORD), ("new", "brand new password"), ("confirm", "brand new password")],
    )
    .await;
    let fresh = new_client();
    let r = fresh
        .post(app.url("/admin/login"))
        .form(&[("email", "coordinator@test.example"), ("password", "brand new password"), ("next", "/admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the new password works");
}
