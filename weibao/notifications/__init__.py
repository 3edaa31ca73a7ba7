"""In-app notifications (站内通知): the bell, the list, mark read; later email and robot channels."""
