"""The publisher's dashboard keeps no data of its own; only its permission lives here."""

from django.db import models

VIEW_INSIGHTS = "publisher.view_insights"
PUBLISHERS_GROUP = "Publishers"


class Insights(models.Model):
    """Holds the "view insights" permission: no table, no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_insights", "Can view audience and revenue insights")]

    def __str__(self):
        return "insights"
