from django.urls import path

from weibao.sla import views

# Mounted at /sla/. The compliance report (/sla/compliance/) reads tickets and is routed by
# weibao.tickets.urls; nothing here may match it.
app_name = "sla"
urlpatterns = [
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:policy_id>/targets/", views.target_save, name="target_save"),
    path(
        "policies/<int:policy_id>/targets/<int:target_id>/delete/", views.target_delete, name="target_delete"
    ),
    path("policies/<int:policy_id>/rules/", views.rule_save, name="rule_save"),
    path("policies/<int:policy_id>/rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_edit, name="contract_create"),
    path("contracts/<int:contract_id>/", views.contract_edit, name="contract_edit"),
]
