-- 0027_control_findings: placeholder (reserved; its module's migration replaces this)
SELECT 1;
