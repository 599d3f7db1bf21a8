from django.urls import path

from core.api.views import TokenCheckApi, TokenCreateApi, TokenLogoutApi, UserSearchApi

urlpatterns = [
    path("user/oauth/token", TokenCreateApi.as_view(), name="token-create"),
    path("user/_logout", TokenLogoutApi.as_view(), name="token-logout"),
    path("user/token/_check", TokenCheckApi.as_view(), name="token-check"),
    path("user/_search", UserSearchApi.as_view(), name="user-search"),
]
