"""Service levels (服务级别): policies, targets per priority, service contracts and the clock arithmetic."""
