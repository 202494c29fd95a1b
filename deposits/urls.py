from django.urls import path

from deposits import views

app_name = "deposits"
urlpatterns = [
    path("", views.board_current, name="board_current"),
    path("<int:year>/", views.board, name="board"),
    path("<int:year>/pay/", views.pay, name="pay"),
    path("<int:year>/amount/", views.amount, name="amount"),
    path("payments/<int:pk>/", views.receipt, name="receipt"),
    path("payments/<int:pk>/void/", views.void, name="void"),
    path("<int:year>/letters/new/", views.letter, name="letter"),
    path("<int:year>/overdue/", views.overdue, name="overdue"),
    path("<int:year>/settlement/", views.settlement, name="settlement"),
    path("<int:year>/settlement/confirm/", views.settlement_confirm, name="settlement_confirm"),
    path("<int:year>/settlement/reverse/", views.settlement_reverse, name="settlement_reverse"),
    path("<int:year>/settlement/sheet/", views.settlement_sheet, name="settlement_sheet"),
]
