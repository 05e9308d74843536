-- Reserved for a migration being written; replaced by its content.
SELECT 1;
