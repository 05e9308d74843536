-- 0025_payee_accounts: placeholder (reserved; its module's migration replaces this)
SELECT 1;
