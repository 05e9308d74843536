-- 经济状况事实: dated economic facts (src/registry/facts/schema.ts; the rules in docs/architecture.md).
CREATE TABLE "economic_facts" (
	"district_code" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"subject_type" text NOT NULL,
	"kind" text NOT NULL,
	"category" text,
	"amount_fen" bigint,
	"quantity" integer,
	"flag" boolean,
	"disability_category" smallint,
	"disability_grade" smallint,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"source_kind" text NOT NULL,
	"source_ref" text DEFAULT '' NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"recorded_by" text,
	"voided_at" timestamp (3) with time zone,
	"void_reason" text,
	"replaced_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "economic_facts_district_code_subject_id_id_pk" PRIMARY KEY("district_code","subject_id","id"),
	CONSTRAINT "economic_facts_subject_chk" CHECK ("economic_facts"."subject_type" in ('person','household')),
	CONSTRAINT "economic_facts_kind_chk" CHECK (("economic_facts"."subject_type" = 'person' and "economic_facts"."kind" in ('wage','pension','other_income','disability','employment','serious_illness','supporter','category'))
      or ("economic_facts"."subject_type" = 'household' and "economic_facts"."kind" in ('monetary_assets','vehicles','homes','floor_area_below_average','medical_expense','education_expense'))),
	CONSTRAINT "economic_facts_source_chk" CHECK (("economic_facts"."kind" = 'category' and "economic_facts"."source_kind" = 'decision')
      or ("economic_facts"."kind" <> 'category' and "economic_facts"."source_kind" in ('declared','agency','verified'))),
	CONSTRAINT "economic_facts_value_chk" CHECK (case
        when "economic_facts"."kind" in ('wage','pension','other_income','monetary_assets','medical_expense','education_expense')
          then "economic_facts"."amount_fen" is not null and "economic_facts"."amount_fen" >= 0 and "economic_facts"."quantity" is null and "economic_facts"."flag" is null
            and "economic_facts"."disability_category" is null and "economic_facts"."disability_grade" is null and "economic_facts"."category" is null
        when "economic_facts"."kind" in ('vehicles','homes')
          then "economic_facts"."quantity" is not null and "economic_facts"."quantity" >= 0 and "economic_facts"."amount_fen" is null and "economic_facts"."flag" is null
            and "economic_facts"."disability_category" is null and "economic_facts"."disability_grade" is null and "economic_facts"."category" is null
        when "economic_facts"."kind" in ('employment','serious_illness','supporter','floor_area_below_average')
          then "economic_facts"."flag" is not null and "economic_facts"."amount_fen" is null and "economic_facts"."quantity" is null
            and "economic_facts"."disability_category" is null and "economic_facts"."disability_grade" is null and "economic_facts"."category" is null
        when "economic_facts"."kind" = 'disability'
          then (("economic_facts"."disability_category" is null and "economic_facts"."disability_grade" is null)
              or ("economic_facts"."disability_category" between 1 and 7 and "economic_facts"."disability_grade" between 1 and 4))
            and "economic_facts"."amount_fen" is null and "economic_facts"."quantity" is null and "economic_facts"."flag" is null and "economic_facts"."category" is null
        when "economic_facts"."kind" = 'category'
          then "economic_facts"."category" in ('tekun','kunjing_child','orphan','traditional','rural_youth','anhui_resettled_1','anhui_resettled_2')
            and "economic_facts"."amount_fen" is null and "economic_facts"."quantity" is null and "economic_facts"."flag" is null
            and "economic_facts"."disability_category" is null and "economic_facts"."disability_grade" is null
        else false end),
	CONSTRAINT "economic_facts_dates_chk" CHECK (("economic_facts"."valid_to" is null or "economic_facts"."valid_to" >= "economic_facts"."valid_from")
      and ("economic_facts"."kind" not in ('medical_expense','education_expense') or "economic_facts"."valid_to" is null))
);--> statement-breakpoint
-- The undated values become facts. Each is dated from when the engine already applied it (a person's
-- birth; the first day of the month of a household's earliest membership), so that no month computed
-- before this migration changes; recorded when the row was last written; source 申报 (declared, the
-- lowest rank: any agency or verified figure outranks it), except special categories, which are
-- determinations (认定) by definition. Default values (0, false, homes 1, a supporter) need no fact.
-- A household's yearly spending becomes one spending fact dated on the first day of the month before the
-- migration (Shanghai), so that the next twelve months see it as the old column did.
INSERT INTO "economic_facts" ("district_code", "subject_id", "id", "subject_type", "kind", "category", "amount_fen",
    "flag", "disability_category", "disability_grade", "valid_from", "source_kind", "source_ref", "recorded_at")
SELECT p."district_code", p."id", gen_random_uuid(), 'person', f."kind", f."category", f."amount_fen", f."flag",
    f."disability_category", f."disability_grade", p."birth_date",
    case when f."kind" = 'category' then 'decision' else 'declared' end,
    '迁移自人员表（迁移 0010）', p."updated_at"
FROM "persons" p
CROSS JOIN LATERAL (
    SELECT 'wage' AS "kind", NULL::text AS "category", p."wage_fen" AS "amount_fen", NULL::boolean AS "flag",
        NULL::smallint AS "disability_category", NULL::smallint AS "disability_grade" WHERE p."wage_fen" > 0
    UNION ALL SELECT 'pension', NULL, p."pension_fen", NULL, NULL, NULL WHERE p."pension_fen" > 0
    UNION ALL SELECT 'other_income', NULL, p."other_income_fen", NULL, NULL, NULL WHERE p."other_income_fen" > 0
    UNION ALL SELECT 'disability', NULL, NULL, NULL, p."disability_category", p."disability_grade"
        WHERE p."disability_category" IS NOT NULL AND p."disability_grade" IS NOT NULL
    UNION ALL SELECT 'employment', NULL, NULL, true, NULL, NULL WHERE p."employed"
    UNION ALL SELECT 'serious_illness', NULL, NULL, true, NULL, NULL WHERE p."serious_illness"
    UNION ALL SELECT 'supporter', NULL, NULL, false, NULL, NULL WHERE NOT p."has_supporter"
    UNION ALL SELECT 'category', c."code", NULL, NULL, NULL, NULL FROM unnest(p."categories") AS c("code")
        WHERE c."code" in ('tekun','kunjing_child','orphan','traditional','rural_youth','anhui_resettled_1','anhui_resettled_2')
) f;--> statement-breakpoint
INSERT INTO "economic_facts" ("district_code", "subject_id", "id", "subject_type", "kind", "amount_fen", "quantity",
    "flag", "valid_from", "source_kind", "source_ref", "recorded_at")
SELECT h."district_code", h."id", gen_random_uuid(), 'household', f."kind", f."amount_fen", f."quantity", f."flag",
    case when f."kind" in ('medical_expense','education_expense')
        then (date_trunc('month', (now() at time zone 'Asia/Shanghai')) - interval '1 month')::date
        else date_trunc('month', coalesce(m."first_from", (h."created_at" at time zone 'Asia/Shanghai')::date))::date end,
    'declared', '迁移自家庭户表（迁移 0010）', h."updated_at"
FROM "households" h
LEFT JOIN LATERAL (
    SELECT min(hm."valid_from") AS "first_from" FROM "household_members" hm
    WHERE hm."district_code" = h."district_code" AND hm."household_id" = h."id"
) m ON true
CROSS JOIN LATERAL (
    SELECT 'monetary_assets' AS "kind", h."monetary_assets_fen" AS "amount_fen", NULL::integer AS "quantity",
        NULL::boolean AS "flag" WHERE h."monetary_assets_fen" > 0
    UNION ALL SELECT 'vehicles', NULL, h."vehicles", NULL WHERE h."vehicles" > 0
    UNION ALL SELECT 'homes', NULL, h."homes", NULL WHERE h."homes" <> 1
    UNION ALL SELECT 'floor_area_below_average', NULL, NULL, true WHERE h."per_capita_floor_area_below_average"
    UNION ALL SELECT 'medical_expense', h."medical_expense_annual_fen", NULL, NULL WHERE h."medical_expense_annual_fen" > 0
    UNION ALL SELECT 'education_expense', h."education_expense_annual_fen", NULL, NULL WHERE h."education_expense_annual_fen" > 0
) f;
