"""The JSON API (django-ninja): /api/v1/, Bearer tokens, errors as {"detail", "code"}."""

from ninja import NinjaAPI

api = NinjaAPI(title="Weibao API", version="1.0.0", urls_namespace="api")
