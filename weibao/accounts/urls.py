from django.contrib.auth.views import LogoutView
from django.urls import path

from weibao.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("manage/", views.manage_home, name="manage_home"),
    path("manage/users/", views.manage_users, name="manage_users"),
    path("manage/users/new/", views.manage_user_create, name="manage_user_create"),
    path("manage/users/<int:user_id>/", views.manage_user_edit, name="manage_user_edit"),
    path("manage/users/<int:user_id>/password/", views.manage_user_password, name="manage_user_password"),
    path("manage/users/<int:user_id>/active/", views.manage_user_active, name="manage_user_active"),
    path("manage/roles/", views.manage_roles, name="manage_roles"),
    path("manage/roles/new/", views.manage_role_create, name="manage_role_create"),
    path("manage/roles/<int:role_id>/", views.manage_role_edit, name="manage_role_edit"),
    path("manage/teams/", views.manage_teams, name="manage_teams"),
    path("manage/teams/new/", views.manage_team_create, name="manage_team_create"),
    path("manage/teams/<int:team_id>/", views.manage_team_edit, name="manage_team_edit"),
]
