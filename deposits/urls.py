from django.urls import path

from deposits import views

app_name = "deposits"
urlpatterns = [
    path("", views.board_current, name="board_current"),
    path("<year:year>/", views.board, name="board"),
    path("<year:year>/pay/", views.pay, name="pay"),
    path("<year:year>/amount/", views.amount, name="amount"),
    path("payments/<int:pk>/", views.receipt, name="receipt"),
    path("payments/<int:pk>/void/", views.void, name="void"),
    path("<year:year>/letters/new/", views.letter, name="letter"),
    path("<year:year>/overdue/", views.overdue, name="overdue"),
    path("<year:year>/settlement/", views.settlement, name="settlement"),
    path("<year:year>/settlement/confirm/", views.settlement_confirm, name="settlement_confirm"),
    path("<year:year>/settlement/reverse/", views.settlement_reverse, name="settlement_reverse"),
    path("<year:year>/settlement/sheet/", views.settlement_sheet, name="settlement_sheet"),
]
