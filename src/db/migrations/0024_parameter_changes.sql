-- 0024_parameter_changes: placeholder (reserved; its module's migration replaces this)
SELECT 1;
