from masthead.billing.models import Plan


def active_plans() -> list[Plan]:
    return list(Plan.objects.filter(active=True))
