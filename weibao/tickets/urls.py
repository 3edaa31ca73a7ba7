from django.urls import path

from weibao.tickets.views import console, detail, intake, manage, portal, sla

app_name = "tickets"
urlpatterns = [
    path("console/", console.console, name="console"),
    path("console/counts/", console.console_counts, name="console_counts"),
    path("console/system-options/", console.console_system_options, name="console_system_options"),
    path("tickets/new/", intake.log_call, name="log_call"),
    path("tickets/new/options/", intake.log_call_options, name="log_call_options"),
    path("tickets/<int:number>/", detail.ticket_detail, name="detail"),
    path("tickets/<int:number>/actions/<slug:action>/", detail.ticket_action, name="action"),
    path("attachments/<int:attachment_id>/", detail.attachment_download, name="attachment_download"),
    path("portal/", portal.portal_list, name="portal_list"),
    path("portal/new/", intake.portal_create, name="portal_create"),
    path("portal/new/options/", intake.portal_options, name="portal_options"),
    path("manage/categories/", manage.manage_categories, name="manage_categories"),
    path("manage/categories/<int:category_id>/", manage.manage_categories, name="manage_category_edit"),
    path("manage/priority-matrix/", manage.manage_matrix, name="manage_matrix"),
    path("manage/desk-settings/", manage.manage_settings, name="manage_settings"),
    # The policy pages live in weibao.sla under /sla/policies/ and /sla/contracts/; only the report,
    # which reads tickets, is mounted from here (weibao.sla must not import weibao.tickets).
    path("sla/compliance/", sla.sla_compliance, name="sla_compliance"),
]
