from django.urls import path

from masthead.billing import views

app_name = "billing"

urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/success/", views.checkout_success, name="checkout-success"),
    path("portal/", views.portal, name="portal"),
    path("test-checkout/", views.test_checkout, name="test-checkout"),
    path("test-portal/", views.test_portal, name="test-portal"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe-webhook"),
]
