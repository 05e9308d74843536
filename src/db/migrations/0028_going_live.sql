-- 0028_going_live: placeholder (reserved; its module's migration replaces this)
SELECT 1;
