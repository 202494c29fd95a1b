from django.urls import path

from rewards import views

app_name = "rewards"
urlpatterns = [
    path("", views.ClaimListView.as_view(), name="claim_list"),
    path("queue/", views.ClaimQueueView.as_view(), name="claim_queue"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/review/", views.claim_review, name="claim_review"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim_approve"),
    path("claims/<int:pk>/pay/", views.claim_pay, name="claim_pay"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim_reject"),
    path("projects/<int:project_pk>/claims/new/", views.claim_create, name="claim_create"),
    path("projects/<int:project_pk>/referrer/", views.link_create, name="link_create"),
    path("referrer-links/<int:pk>/edit/", views.link_update, name="link_update"),
    path("referrers/", views.ReferrerListView.as_view(), name="referrer_list"),
    path("referrers/new/", views.referrer_create, name="referrer_create"),
    path("referrers/<int:pk>/", views.referrer_detail, name="referrer_detail"),
    path("referrers/<int:pk>/edit/", views.referrer_update, name="referrer_update"),
    path(
        "referrers/<int:pk>/registration/",
        views.referrer_registration,
        name="referrer_registration",
    ),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/<year:year>/", views.rule_detail, name="rule_detail"),
    path("rules/<year:year>/edit/", views.rule_edit, name="rule_edit"),
    path("tax/", views.TaxRecordListView.as_view(), name="tax_list"),
    path("tax/new/", views.tax_create, name="tax_create"),
    path("tax/<int:pk>/edit/", views.tax_update, name="tax_update"),
    path("tax/import/", views.tax_import, name="tax_import"),
    path("payouts/", views.payouts, name="payouts"),
]
