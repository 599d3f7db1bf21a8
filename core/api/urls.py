from django.urls import path

from core.api.views import TokenCreateApi, TokenLogoutApi, UserSearchApi

urlpatterns = [
    path("user/oauth/token", TokenCreateApi.as_view(), name="token-create"),
    path("user/_logout", TokenLogoutApi.as_view(), name="token-logout"),
    path("user/_search", UserSearchApi.as_view(), name="user-search"),
]
