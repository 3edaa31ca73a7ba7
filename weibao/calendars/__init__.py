"""Working calendars (工作日历): time zones, weekly working periods, holidays and make-up workdays."""
