import zoneinfo

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]
