-- Emergency rules: the changes of classifier/emergency-rules.json and emergency-contexts.json
-- after 0210 (the files and a fresh database are kept equal by classifier/emergency-rules.test.ts).
-- A rule a site has edited (its line, reason or exceptions differ from the shipped ones) is left
-- as the site made it; a rule or context a site already has is not added twice.

-- 有人跳河 is a person in the water (119); a threat to jump (要跳河) stays with the 110 rule.
UPDATE emergency_rules SET line = '119', reason = '有人跳河：人在水中',
       except_patterns = ARRAY['(要|想|准备|打算|说|威胁)(要)?(去)?跳河'], updated_at = now()
 WHERE pattern = '跳河' AND kind = 'keyword' AND line = '110' AND reason = '自杀风险：跳河' AND except_patterns = '{}';

-- 消防栓被车撞坏了: a thing hit by a car, not a person.
UPDATE emergency_rules
   SET except_patterns = ARRAY['(差点|险些|差一点)(就)?(被|让)', '车(子)?(给)?(撞|压|碾|轧)(坏|歪|断|裂|碎|弯|瘪|塌)'], updated_at = now()
 WHERE pattern = '(被|让)[^，。,]{0,3}车(子)?(给)?(撞|压|碾|轧|刮倒)(了|倒|伤|到|飞)?' AND kind = 'regex'
   AND except_patterns = ARRAY['(差点|险些|差一点)(就)?(被|让)'];

INSERT INTO emergency_rules (pattern, kind, line, reason, priority, except_patterns) VALUES
  ('(硬|强行|被人|被)(拖|拽|拉|抱|塞|推)(上|进)(了)?[^，。,]{0,4}车', 'regex', '110', '疑似绑架：有人被强行拉上车', 3680, '{}'),
  ('(漏|泄漏|泄露|冒|喷)(出)?[^，。,]{0,4}(毒气|有毒气体|黄色的?气体|白色的?气体|刺鼻的?气体|黄烟|氨气|氯气)', 'regex', '119', '有毒气体泄漏', 3690, '{}')
ON CONFLICT (pattern, kind) DO NOTHING;

INSERT INTO emergency_contexts (pattern, role, note) VALUES
  ('(后来|已经|终于|最后|早就)(又)?(找到|找回|找着|回来|回家|救出来|脱险)了?', 'after', '已经过去：后来找到了')
ON CONFLICT (pattern, role) DO NOTHING;
