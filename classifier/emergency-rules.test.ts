/**
 * The shipped emergency rules against caller-style sentences written for this test (not
 * taken from any data set): emergencies of every kind with the line they need, and
 * ordinary complaints that name a danger in a past, general or administrative sense.
 * Spaced sentences imitate the speech recogniser (no punctuation, spaces between words).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listMigrations, migrate } from '../db/migrate.js';
import { createTestDb, ENGINES } from '../db/testing.js';
import {
  addEmergencyContext,
  addEmergencyRule,
  checkEmergency,
  defaultEmergencyContexts,
  defaultEmergencyRules,
  type EmergencyLine,
  listEmergencyContexts,
  listEmergencyRules,
  loadEmergencyRules,
  nestedRepetition,
  regexRisk,
  setEmergencyContexts,
  setEmergencyRules,
  updateEmergencyContext,
  updateEmergencyRule,
  validateRule,
} from './emergency.js';
import { ClassifierErrors } from './errors.js';

const EMERGENCIES: [string, EmergencyLine][] = [
  // fire
  ['喂 我 家 厨房 冒烟 了 好 大 的 烟', '119'],
  ['楼下那个仓库烧着了，火很大', '119'],
  ['我们这栋楼三楼窗户往外冒黑烟', '119'],
  ['油锅着了我盖不住', '119'],
  ['电动车在楼道里充电 突然 起火 了', '119'],
  ['隔壁屋子里全是烟 敲门没人应', '119'],
  ['插座冒火花了，还有一股焦糊味', '119'],
  ['山上烧起来了 风很大', '119'],
  ['有人在楼道里放火', '119'],
  ['窗帘着了 孩子还在屋里', '119'],
  ['地下车库里一辆车着了', '119'],
  ['快叫消防车 店里面全烧起来了', '119'],
  // gas, chemicals, explosions
  ['一进门就闻到煤气 味道特别冲', '119'],
  ['煤气罐漏气了，嘶嘶地响', '119'],
  ['小区门口燃气管道断了 一直在往外冒', '119'],
  ['路上一辆罐车侧翻了，好像是液氨泄漏', '119'],
  ['厂里有毒气体泄漏 工人都跑出来了', '119'],
  ['楼下饭店刚才一声巨响 玻璃全碎了', '119'],
  ['锅炉房的锅炉炸了', '119'],
  // trapped, collapse, rescue
  ['我被困在电梯里了，电梯停在十二楼', '119'],
  ['电梯卡住了 里面有个老人出不来', '119'],
  ['工地脚手架塌了，有人被压在下面', '119'],
  ['村里一栋老房子塌了 好像有人被埋', '119'],
  ['孩子的头卡在栏杆里拔不出来', '119'],
  ['孩子被锁在车里了，太阳很晒', '119'],
  ['我们几个在山里迷路了 天黑了下不去', '119'],
  ['有个工人掉到窨井里了', '119'],
  ['工人的手被机器绞住了', '120'],
  // water rescue and floods
  ['有人掉水里了 在河中间扑腾', '119'],
  ['小孩掉进池塘了', '119'],
  ['水库那边有人溺水', '119'],
  ['洪水 冲 进 村子 了 有 人 被 困 在 屋顶', '119'],
  ['下暴雨 水 漫 进 屋 了 已经 到 膝盖', '119'],
  ['一辆车冲到河里了，人还在车里', '119'],
  ['河边有个人被水冲走了', '119'],
  // weapons, stabbing, assault, domestic violence
  ['楼下有人拿枪，还对着天开了一枪', '110'],
  ['刚才听到好几声枪声 就在小区里面', '110'],
  ['他把人捅了', '110'],
  ['有个男的拿着砍刀在街上追人', '110'],
  ['他 在 打 我 快 来', '110'],
  ['我老公喝醉了又打我，我躲在厕所里', '110'],
  ['隔壁一直在打孩子，孩子哭得不行', '110'],
  ['他掐着我的脖子说要弄死我', '110'],
  ['饭店门口两伙人打起来了', '110'],
  ['他扬言要杀了我全家', '110'],
  ['我被人打了 头上都是血', '110'],
  // abduction and missing people
  ['孩子不见了 刚才还在楼下玩', '110'],
  ['我女儿被人抱走了，是一个男的', '110'],
  ['我妈有老年痴呆 早上出门走丢了', '110'],
  ['儿子放学到现在还没回家 电话也打不通', '110'],
  // threats of suicide
  ['我觉得活着没意思 真的撑不下去了', '110'],
  ['有个女的站在楼顶要跳', '110'],
  ['我 现在 就 在 桥 上 想 跳 下去', '110'],
  ['我姐说她不活了，把自己关在房间里', '110'],
  ['我遗书都写好了', '110'],
  // fraud and break-ins in progress
  ['有人冒充公安让我转钱到安全账户', '110'],
  ['我正在转账给骗子 他们说我涉嫌洗钱', '110'],
  ['对方说是银行的，我已经把验证码发给他了', '110'],
  ['我刚被骗了三万块 怎么办', '110'],
  ['有人在撬我家的门', '110'],
  ['小偷在我家里 我躲在卧室不敢出声', '110'],
  ['有个陌生人翻窗进了我家', '110'],
  ['有人抢了我的包 往地铁站跑了', '110'],
  ['快帮我报警，有人在砸车', '110'],
  // heart, stroke, breathing
  ['我爸胸口疼 喘不上气 脸色发白', '120'],
  ['奶奶突然嘴歪了 说不出话', '120'],
  ['我老公半边身子麻 站不起来', '120'],
  ['我喘不过气 胸闷得厉害', '120'],
  ['他哮喘犯了', '120'],
  ['我爸心梗，以前放过支架', '120'],
  // choking, bleeding, injuries
  ['孩子吃果冻卡住喉咙了', '120'],
  ['宝宝噎住了 脸都紫了', '120'],
  ['切菜切到手了 血止不住', '120'],
  ['我儿子被开水烫了，大面积烫伤', '120'],
  ['被蛇咬了 腿肿起来了', '120'],
  ['孩子误吞了一颗纽扣电池', '120'],
  // labour
  ['我老婆羊水破了', '120'],
  ['她要生了 肚子疼得厉害', '120'],
  ['孕妇摔了一跤，下面在流血', '120'],
  // heat, poisoning, overdose
  ['工地上有人中暑晕过去了', '120'],
  ['一家人吃了毒蘑菇 都在吐', '120'],
  ['我妈吃了一整瓶安眠药', '120'],
  ['他吞了一整瓶药 现在叫不醒', '120'],
  // falls, collapse, unconscious
  ['老人从楼上摔下来了', '120'],
  ['我爸在卫生间摔倒了', '120'],
  ['有人倒在地上不动了', '120'],
  ['孩子高烧到四十度 一直在抽', '120'],
  ['快叫救护车，有人被车撞了', '120'],
  ['楼上有人坠楼了', '120'],
  ['家里老人没气了', '120'],
  ['他 突然 倒 下 了 叫 不 醒', '120'],
  // a past context does not hide what is happening now
  ['我老公以前就打人 现在又在打我', '110'],
  ['以前 的 房子 现在 着火 了', '119'],
  ['之前就晕倒过一次 刚才又晕倒了', '120'],
];

const ORDINARY: string[] = [
  // the issue's examples
  '去年那场火灾的赔偿到现在还没到位',
  '我们楼道的灭火器过期了 没人换',
  '救护车收费太贵了，拉了三公里要五百',
  '小区消防通道被私家车占了',
  '这个月的燃气费怎么这么高',
  '我想咨询一下家暴庇护政策',
  '上个月被打的案子派出所一直没处理',
  '诈骗电话太多了 想投诉一下',
  // hazards, prevention, what-ifs
  '楼道堆满杂物 存在火灾隐患',
  '电动车在楼道充电 万一着火了怎么办',
  '小区里的电线裸露在外面 容易触电',
  '要是着火了 消防车根本进不来',
  '希望在河边装个护栏 防止孩子落水',
  '冬天烧煤取暖 怎么预防一氧化碳中毒',
  '防溺水宣传进校园 建议多搞几次',
  '希望加强防拐宣传',
  '路灯不亮 晚上怕有人抢劫',
  '小区门口路面不平 老人容易摔倒',
  '井盖丢了 晚上很容易掉进去',
  '这个路口经常出车祸，希望装个红绿灯',
  // smoke and smells that are pollution complaints
  '饭店的油烟很大 熏得我们没法开窗',
  '工厂烟囱天天冒黑烟 污染很严重',
  '楼上邻居在阳台抽烟，烟味都飘到我家',
  '楼道里有烟头 保洁也不打扫',
  '消防演练的时候烟很大 邻居还以为着火了',
  // gas, power, water as utilities
  '燃气公司上门安检还要收费',
  '物业强制推销燃气泄漏报警器',
  '天然气没气了，什么时候能恢复',
  '燃气灶火苗太小 是不是气压不够',
  '水管爆了 家里停水两天了',
  '楼上漏水 把我家天花板淹了',
  '下水道返水 水漫进屋里 臭得不行',
  // medical in the past or about money
  '去年中暑住院的费用能不能报销',
  '我爸以前有心脏病，想咨询慢病报销',
  '我老婆快生了，想咨询一下生育津贴怎么领',
  '我爸中风后遗症 想申请残疾证',
  '吃了农药残留超标的菜 想投诉超市',
  '医院乱收费 吃了好多药也没用',
  '中毒事件的处理结果什么时候公布',
  '上次叫救护车半天才来 想投诉一下',
  '这个项目难产了好几年',
  // violence words that are not violence now
  '孩子在学校被同学打了 老师也不管',
  '有人一直打我电话推销 很烦',
  '我一直在打人工客服电话 打不通',
  '冒充客服的诈骗短信太多了',
  '前年我被骗了五万 一直没追回',
  '遇到冒充公检法的电话怎么举报',
  '物业擅自撬锁进我家 要求赔偿',
  '我要投诉开锁公司撬锁收费太高',
  '电视剧里那个人被绑架了',
  '有人抢我的车位',
  '小区里小偷太多了 电动车经常被偷',
  // lost things and pets, not people
  '我家的狗走丢了 能不能帮忙发个寻狗启事',
  '孩子的书包丢在公交车上了',
  '我的手机掉进河里了 能捞上来吗',
  '快递柜里的东西卡住了取不出来',
  '风筝挂在树上了 能不能帮忙拿下来',
  '我的钥匙锁在家里了 能不能找个开锁的',
  '孩子联系不上班主任',
  // hyperbole and idioms
  '附近工地晚上施工 噪音吵得要死',
  '空调坏了 热得要死 物业也不来修',
  '商场跳楼价清仓 结果是虚假宣传',
  '这次考试压力太大 压得孩子喘不过气',
  '物业的人天天对我翻白眼',
  '吵得我心脏不舒服 晚上睡不着',
  '我被噪音困扰了很久',
  '抽风机噪音太大了',
  '看新闻里说有人跳楼了 我们小区楼顶能不能锁上',
  '做梦梦见家里着火了',
  '我想了解一下溺水急救知识',
  '我想问一下自杀干预热线是多少',
  // ordinary words near danger words
  '入户门的锁坏了 开发商不管',
  '冰箱门破了 售后一直不来',
  '我想把车开到河边洗车可以吗',
  '家里有人生病了 想申请困难补助',
  '孩子发烧烧得很厉害 社区医院却不给看',
  '楼上一声巨响 装修太吵了',
  '过年放鞭炮吵得睡不着',
  '这个审批卡在街道好几个月了',
  '小区的火警报警器老是误报',
  '孩子玩水枪 邻居说我们打扰他',
  '邻居家的狗天天叫 吵得我头疼',
  '小区里的人贩子谣言到处传 能不能辟谣',
  '电梯经常困人 物业也不维修',
  '单位不给高温补贴',
];

/**
 * Four more sets written the same way in later rounds. Each was first measured untouched
 * (68–74% of its emergencies flagged, at most 5% of its ordinary texts) and then used to
 * widen the rules, so they are regression cases now, not a measure of coverage.
 */
const MORE_EMERGENCIES: [string, EmergencyLine][] = [
  ['我们单元楼下的电瓶车烧起来了 火苗窜得老高', '119'],
  ['厨房 着 了 火 我 用 水 浇 不 灭', '119'],
  ['对面楼有户人家阳台在冒浓烟', '119'],
  ['我闻到很重的液化气味道 不敢开灯', '119'],
  ['小区里有个煤气罐着火了', '119'],
  ['仓库那边烧得很厉害 火光冲天', '119'],
  ['一辆大货车在高速上烧起来了', '119'],
  ['我家楼上好像着火了 一直往下掉火星', '119'],
  ['工地上有个人掉进基坑里了', '119'],
  ['我们被大水困在二楼了 水还在涨', '119'],
  ['河堤决口了 水往村里灌', '119'],
  ['我儿子在水库游泳 人不见了', '119'],
  ['我们电梯突然往下掉 现在卡住了', '119'],
  ['有个小孩被困在自动扶梯里', '119'],
  ['楼道里全是黑烟 我们下不去', '119'],
  ['化肥厂那边发生爆炸了', '119'],
  ['液化气站那边起火了', '119'],
  ['有人拿着菜刀在菜市场乱砍', '110'],
  ['我前夫冲到我家来了 拿着刀要砍我', '110'],
  ['有个醉汉在店里砸东西还打人', '110'],
  ['我爸喝了酒就打我妈 现在还在打', '110'],
  ['楼下一群人在群殴 有人倒地了', '110'],
  ['有人持枪抢劫银行', '110'],
  ['我听到隔壁有女的在喊救命', '110'],
  ['我被人跟踪了好几条街 现在很害怕', '110'],
  ['我女儿放学没回来 同学说被一辆车接走了', '110'],
  ['老人出门买菜到现在都没回来 手机也关机', '110'],
  ['我在商场里找不到我儿子了', '110'],
  ['有个小孩在路边哭 好像跟家人走散了', '110'],
  ['我朋友发消息说要自杀 现在电话打不通', '110'],
  ['我实在撑不下去了 想从这里跳下去', '110'],
  ['有个男的坐在桥栏杆外面', '110'],
  ['我不想活了 药都准备好了', '110'],
  ['有人打电话说我儿子被绑架了 要我汇款', '110'],
  ['自称是警察的人让我把钱转到他们指定的账户', '110'],
  ['我刚才给骗子转了五万 能不能拦截', '110'],
  ['有人在我家门口撬锁', '110'],
  ['我回家发现门被撬开了 里面好像还有人', '110'],
  ['有两个人在撬路边的车', '110'],
  ['一个男的抢了老太太的金项链跑了', '110'],
  ['我老公要掐死我', '110'],
  ['有个男的在地铁上猥亵女生', '110'],
  ['有个人拿着棍子在街上追着人打', '110'],
  ['我爸突然说不了话了 一边嘴角往下耷拉', '120'],
  ['我妈胸口压得慌 出了一身冷汗', '120'],
  ['老人吃饭噎着了 喘不上来', '120'],
  ['我老公突然昏倒在厕所里', '120'],
  ['孩子抽筋了 嘴唇发紫', '120'],
  ['有个工人从脚手架上摔下来了', '120'],
  ['我奶奶从床上摔下来 起不来了', '120'],
  ['我朋友喝多了 吐了一地 叫也叫不醒', '120'],
  ['老婆肚子疼得厉害 羊水好像破了', '120'],
  ['我媳妇怀孕八个月 突然流了好多血', '120'],
  ['我割到手了 血一直往外冒', '120'],
  ['骑电动车摔了 腿骨头露出来了', '120'],
  ['路上有人被车撞倒了 躺在地上不动', '120'],
  ['工地上有人热晕了', '120'],
  ['我们公司十几个人吃了食堂的饭 都中毒了', '120'],
  ['我儿子误喝了消毒液', '120'],
  ['我爸糖尿病 低血糖晕过去了', '120'],
  ['孩子被热水烫伤了 起了好多泡', '120'],
  ['有个老人在公园突然倒下了', '120'],
  ['我家老人心脏病犯了 药也没用', '120'],
  ['我喘 不 上 气 胸口 好 闷', '120'],
  ['有人触电了 倒在地上', '120'],
  ['宝宝吞了一颗硬币', '120'],
  ['我妈脑溢血 在家里晕倒了', '120'],
  ['孩子从三楼窗户掉下去了', '120'],
  ['喂 你好 我们 这边 厂房 烧 起来 了', '119'],
  ['邻居家里一直冒烟 门锁着 里面可能有人', '119'],
  ['隔壁饭店厨房着火了 火已经窜到二楼', '119'],
  ['我们家的燃气灶突然烧起来了 关不掉', '119'],
  ['路边变压器冒火了 噼里啪啦响', '119'],
  ['小区地下室冒出很多烟', '119'],
  ['液化气罐在漏 屋里一股臭鸡蛋味', '119'],
  ['化学品仓库爆炸了 还在着', '119'],
  ['一个老人掉进了冰窟窿', '119'],
  ['有人在江里喊救命', '119'],
  ['洪水把路冲断了 我们被困在车上', '119'],
  ['水已经淹到一楼了 老人还在家里', '119'],
  ['塔吊倒了 砸到了工棚', '119'],
  ['我们家孩子把自己反锁在卫生间出不来了', '119'],
  ['一辆车翻到沟里了 里面有人', '119'],
  ['有 人 困 在 电梯 里 半 个 小时 了', '119'],
  ['老楼的墙塌了一面 下面压着人', '119'],
  ['楼顶有人要往下跳 好多人在围观', '110'],
  ['我弟弟在微信上发了遗言 人联系不上', '110'],
  ['我女朋友说她吃了很多安眠药 现在不回我消息', '120'],
  ['我妈抑郁症 刚才说要去死', '110'],
  ['有个男的在小区门口拿刀乱挥', '110'],
  ['两个人在路边打架 一个人头被打破了', '110'],
  ['他又喝醉了 在家里砸东西 还要打孩子', '110'],
  ['我被我老公打得浑身是伤 他现在还在门口', '110'],
  ['有人在楼下开枪了', '110'],
  ['出租屋里有人在吸毒 还拿着刀', '110'],
  ['有几个人拿着棍子冲进了网吧', '110'],
  ['我发现有人在我家窗户外面偷看 还在撬窗户', '110'],
  ['刚才有人把我的电动车推走了 我追不上', '110'],
  ['我的钱包被人偷了 小偷还在车上', '110'],
  ['孩子在游乐场走丢了 找了半个小时', '110'],
  ['我爸有阿尔茨海默症 一早出去就没回来', '110'],
  ['有人说我的银行卡涉嫌犯罪 让我转到安全账户', '110'],
  ['有个人说是我领导 让我马上给他转钱', '110'],
  ['我刚才把验证码告诉客服了 卡里的钱没了', '110'],
  ['有个女孩被几个人强行拉上了车', '110'],
  ['有人威胁说要炸了这个商场', '110'],
  ['我前男友在门外砸门 说要弄死我', '110'],
  ['我老公掐着我的脖子不放', '110'],
  ['我爸说胸口像压了块石头 喘不动气', '120'],
  ['我奶奶说话突然含糊不清 左手抬不起来', '120'],
  ['我家老人突然一边身子不能动了', '120'],
  ['孩子被花生呛到了 咳不出来', '120'],
  ['我老婆要生了 在出租车上', '120'],
  ['我同事在办公室晕倒了 叫不醒', '120'],
  ['有人在健身房跑步时突然倒下 没有呼吸了', '120'],
  ['我爸被狗咬了 腿上血流不止', '120'],
  ['我切菜把手指切掉了一截', '120'],
  ['工厂里有个工人被烫伤了 很严重', '120'],
  ['我朋友喝酒喝到吐血了', '120'],
  ['一个小孩从滑梯上摔下来 头流血了', '120'],
  ['我妈吃了降压药以后晕过去了', '120'],
  ['孩子吃了奶奶的药 一大把', '120'],
  ['我们吃了饭店的菜 好几个人都在吐', '120'],
  ['我爸在田里干活中暑了 人有点迷糊', '120'],
  ['我姐怀孕了 肚子疼得直不起腰 还在出血', '120'],
  ['我儿子过敏了 脸肿得厉害 喘不上气', '120'],
  ['有人被高压电打到了', '120'],
  ['一个骑摩托的被大货车压了', '120'],
  ['我老公心脏不舒服 脸色发白 出冷汗', '120'],
  ['我外婆摔倒在厨房 头上在流血', '120'],
  ['路边有个人口吐白沫在抽', '120'],
  ['宝宝高烧抽搐 眼睛往上翻', '120'],
  ['快派救护车 这边有人昏迷了', '120'],
  ['我爷爷吃饭的时候被噎住了 脸都憋红了', '120'],
  ['我们这边有个人从二楼掉下来了', '120'],
  ['我被蜜蜂蛰了 浑身起疙瘩 头晕', '120'],
  ['我家楼下的小卖部着大火了', '119'],
  ['那个 那个 我们 家 的 被子 烧 着 了', '119'],
  ['隔壁的出租屋往外冒火苗 里面有个老人', '119'],
  ['厨房煤气管子破了 呲呲的往外冒气', '119'],
  ['我们村的稻草垛烧起来了 离房子很近', '119'],
  ['一辆公交车在路上自燃了', '119'],
  ['加油站旁边有辆车在冒烟', '119'],
  ['有个孩子爬到楼顶的水箱上下不来了', '119'],
  ['我老公修房顶掉到夹层里卡住了', '119'],
  ['有个人被卷进了搅拌机里', '120'],
  ['我们开车掉进水里了 车在往下沉', '119'],
  ['小孩在河边玩 滑到河里去了', '119'],
  ['下大暴雨 我们家被水淹了 出不去', '119'],
  ['隧道里两辆车撞了 着火了', '119'],
  ['工地的沟塌了 把两个工人埋了', '119'],
  ['有人在商场里挥舞着一把刀', '110'],
  ['我 老公 拿 着 菜刀 要 砍 我', '110'],
  ['我儿子被一群人堵在巷子里打', '110'],
  ['有个男的在公交车上打司机', '110'],
  ['他们在小区门口拿着钢管互砍', '110'],
  ['有个男的一直在敲我家门 说要进来杀了我', '110'],
  ['我刚刚被人用刀捅了一下', '110'],
  ['隔壁小孩一直被他爸打 哭得很惨', '110'],
  ['我女儿被她男朋友关在家里不让出来', '110'],
  ['小区里有个陌生男人抱着别人家的孩子跑了', '110'],
  ['我儿子一个人去网吧 到现在一天一夜没回来', '110'],
  ['我爸一个人出去遛弯 现在找不到人了', '110'],
  ['有个女孩在天台边上哭 一直往下看', '110'],
  ['我室友把自己锁在屋里 说活着没意义', '110'],
  ['我现在就想从楼上跳下去 谁也别管我', '110'],
  ['我不想活了 刀已经拿在手上了', '110'],
  ['有人打电话说是公安局的 让我把钱转到一个账户', '110'],
  ['有人说我快递丢了要赔我钱 让我下载软件开屏幕共享', '110'],
  ['就命啊 有人抢我手机', '110'],
  ['有个小偷正在偷我邻居家的东西', '110'],
  ['我在出租车上 司机把车门锁了 不停车', '110'],
  ['有人在地铁站扔了个可疑包裹 说里面是炸弹', '110'],
  ['我妈突然倒在地上 口吐白沫', '120'],
  ['我爸刚才突然嘴巴歪了 流口水 话也说不清', '120'],
  ['我老婆胸口剧痛 冒冷汗', '120'],
  ['我哥喝酒喝多了 叫他没反应 呼吸很弱', '120'],
  ['我外公在浴室晕过去了', '120'],
  ['孩子吃葡萄卡住了 喘不过气来', '120'],
  ['我朋友被玻璃划破了动脉 血一直喷', '120'],
  ['工人从十几米的高处掉下来了', '120'],
  ['一个老太太在菜市场摔倒了 头磕破了', '120'],
  ['我老婆在家里要生了 来不及去医院', '120'],
  ['孕妇肚子突然特别疼 下面流血了', '120'],
  ['我们全家吃了野蘑菇 都在上吐下泻', '120'],
  ['孩子把洗衣液喝了', '120'],
  ['我爷爷吞了一把药片', '120'],
  ['有个工人中暑倒在工地上了', '120'],
  ['路边有个人被车撞了 腿在流血', '120'],
  ['一个小孩被开水烫伤了 皮都掉了', '120'],
  ['有人在车里烧炭 叫不醒', '120'],
  ['孩子发高烧 一直抽 叫不应', '120'],
  ['我老公心脏病发作 倒在地上了', '120'],
  ['我妹妹哮喘发作 药吸了也没用', '120'],
  ['一个老人在公交车上突然没了意识', '120'],
  ['我儿子被蛇咬了 腿肿得厉害', '120'],
  ['我们宿舍楼有间寝室着火了 大家都在往下跑', '119'],
  ['快来人啊 房子烧起来了', '119'],
  ['我家阁楼上冒出黑烟 还有噼啪的声音', '119'],
  ['有辆面包车撞到电线杆上起火了', '119'],
  ['饭馆后厨的油锅起火了 火很大', '119'],
  ['大楼的外墙保温层烧着了', '119'],
  ['天然气管道被挖掘机挖破了 一直往外喷', '119'],
  ['实验室里的化学试剂泄漏了 味道很呛', '119'],
  ['烟花爆竹仓库爆炸了', '119'],
  ['我被困在着火的房间里 门打不开', '119'],
  ['我们被困在山洞里了 水在往里灌', '119'],
  ['有人从河堤上滑下去掉进河里了', '119'],
  ['小孩掉进鱼塘了 还没捞上来', '119'],
  ['一个老人被困在电梯里 说心慌', '119'],
  ['台风把广告牌吹倒了 砸到了人', '119'],
  ['有一辆三轮车掉进河里了', '119'],
  ['有个醉汉拿着刀在街上吓人', '110'],
  ['我老公又动手打我了 我现在跑出来了', '110'],
  ['有人在打我妈 快来救救她', '110'],
  ['楼上的男的在打他老婆 女的一直在喊', '110'],
  ['有个人被人砍伤了 躺在路边', '110'],
  ['一伙人在KTV里打起来了 有人拿酒瓶砸人', '110'],
  ['有个人拿着一把枪在银行门口', '110'],
  ['有几个小混混在抢学生的钱', '110'],
  ['我在路上被人抢了 他骑电动车跑了', '110'],
  ['有小偷从我家窗户爬进来了', '110'],
  ['我家门锁被人撬坏了 屋里东西被翻得乱七八糟 人可能还在', '110'],
  ['我女儿三岁 在小区里突然不见了', '110'],
  ['我妈有痴呆症 出门以后一直联系不上', '110'],
  ['有个陌生人想把我儿子带走 现在还在学校门口', '110'],
  ['我朋友说他不想活了 已经到江边了', '110'],
  ['有个人站在桥上 好像要跳江', '110'],
  ['我活着太累了 想结束这一切', '110'],
  ['一个男的说警察在查我的账户 叫我把钱都取出来转给他', '110'],
  ['我正在跟一个自称法院的人打电话 他让我交保证金', '110'],
  ['有人在网上冒充我儿子 跟我借钱 我已经转了', '110'],
  ['有个男的一直跟着我 我不敢回家', '110'],
  ['我爸突然胸口痛得厉害 满头大汗', '120'],
  ['我奶奶突然说话不利索 右手拿不住东西', '120'],
  ['我老公突然头痛欲裂 吐了好几次', '120'],
  ['有人在地铁上晕倒了 不省人事', '120'],
  ['我同学打篮球时倒下了 脸色发紫', '120'],
  ['老人吃汤圆噎住了', '120'],
  ['我儿子把一个小磁铁吞下去了', '120'],
  ['我不小心被刀划了一个大口子 血怎么也止不住', '120'],
  ['有个工人被钢筋扎穿了腿', '120'],
  ['我爸从梯子上摔下来 头着地了', '120'],
  ['我妈在楼梯上摔了 腿动不了', '120'],
  ['有个骑电动车的被撞飞了', '120'],
  ['我媳妇快生了 肚子一阵阵疼 羊水也破了', '120'],
  ['她怀孕五个月 突然大出血', '120'],
  ['我在外面干活 头很晕 浑身发烫 好像中暑了', '120'],
  ['我们几个吃了路边摊 都在拉肚子 有个人晕了', '120'],
  ['我爸误喝了农药', '120'],
  ['我女朋友吞了一整盒安眠药', '120'],
  ['孩子烧到四十度 手脚抽搐', '120'],
  ['我爷爷突然没了呼吸', '120'],
  ['我姐过敏性休克了', '120'],
  ['我被狗咬了 流了很多血', '120'],
  ['我老公在家触电了 人倒在地上', '120'],
];

const MORE_ORDINARY: string[] = [
  '小区的消防栓被人拆了 一直没人修',
  '楼道的应急灯坏了 万一着火看不见路',
  '物业天天在楼下烧落叶 烟很呛人',
  '邻居家装修把燃气管道改了 担心以后漏气',
  '我去年被诈骗的钱到现在都没追回来',
  '想问一下被家暴了怎么申请人身保护令',
  '我们村的河道每年汛期都会涨水 希望修堤坝',
  '学校门口经常有人打架 希望加强巡逻',
  '天然气公司换表收费不合理',
  '液化气价格涨得太快了',
  '医院急诊排队太久了',
  '120急救电话打了半天才通 想投诉',
  '120救护车把病人送到了很远的医院',
  '孩子的学校组织了消防演练 吓到孩子了',
  '电梯年检过期了 物业不管',
  '楼上邻居半夜跺脚 吵得睡不着',
  '前年小区发生过一起火灾 赔偿一直没落实',
  '想咨询一下溺水身亡的赔偿标准',
  '上周被狗咬了 打疫苗的钱谁出',
  '单位体检查出心脏病 能不能申请病退',
  '反映一下小区附近有黑车拉客',
  '我要举报一家店卖假酒',
  '外卖骑手闯红灯差点撞到我',
  '路口的红绿灯坏了 很容易出事故',
  '我想投诉派出所出警太慢',
  '诈骗短信天天收到 运营商也不管',
  '网上买东西被骗了三百块 商家不退款',
  '小区里有人养鸡 臭得不行',
  '邻居在楼道里堆了很多纸箱 有火灾风险',
  '工厂晚上偷偷排放废气 刺鼻难闻',
  '楼下餐馆的排烟管道对着我家窗户',
  '我们小区的水管经常爆 一年好几次',
  '暖气不热 家里太冷了',
  '夏天停电 老人热得受不了',
  '我爸以前中过风 现在想办残疾证',
  '我怀孕了想咨询产检补贴',
  '孩子在幼儿园摔了一跤 老师没告诉家长',
  '马路上的井盖松了 走上去哐哐响',
  '公园的湖边没有护栏 孩子玩水很危险',
  '我想问一下中暑算不算工伤',
  '超市卖过期食品 吃了拉肚子',
  '医院说我妈要做心脏支架 费用太高',
  '社区的防诈骗宣传太少了',
  '我老公赌博欠了很多钱 我想离婚',
  '邻居家的孩子天天哭闹',
  '小区门禁坏了 陌生人随便进出',
  '快递员把我的快递弄丢了',
  '我想反映一下出租车司机态度很差',
  '有人在小区里乱发小广告',
  '楼上空调外机滴水到我家阳台',
  '开发商延期交房 业主们很着急',
  '公交车司机开车太猛 老人差点摔倒',
  '我家孩子被学校开除了 想申诉',
  '村里的垃圾一直没人清理',
  '房东不退押金 还威胁我',
  '邻居的狗咬了我家的猫',
  '小区绿化带被人占用种菜',
  '我想办理燃气过户',
  '希望在河边立个防溺水警示牌',
  '路边的大树快倒了 很危险',
  '楼顶的防水层坏了 一下雨就漏',
  '我爸去世了 想咨询丧葬补助',
  '我被公司辞退了 没有赔偿',
  '附近酒吧晚上太吵 经常有人喝醉闹事',
  '电动车在楼下充电 飞线很危险',
  '最近小区里有小偷 希望物业加强巡逻',
  '我的身份证丢了 怎么补办',
  '菜市场的秤不准 短斤少两',
  '空调维修师傅乱收费',
  '我们小区的消防车道上停满了车',
  '去年家里着火烧坏的东西能不能申请补助',
  '楼下的垃圾站天天冒臭气',
  '物业把楼道的灭火器都撤走了',
  '我想咨询一下燃气开户需要什么材料',
  '新买的房子燃气一直没通',
  '上次电梯困人以后物业说要换 结果还没换',
  '我老公去年打过我一次 现在想起诉离婚',
  '隔壁的狗一直叫 我都快被吵死了',
  '我家孩子沉迷手机游戏 怎么管',
  '孩子在学校被老师打了手心',
  '有人在公园里打太极拳 音响太大声',
  '邻居打麻将打到半夜',
  '路边有人打牌赌钱',
  '他打了我好几次电话 我都没接',
  '我被公司的领导骂了 想投诉',
  '网上有人造谣说我们小区着火了',
  '我们社区每年都搞消防演习',
  '想问问家里老人走失了去哪里登记',
  '电视台报道的那个溺水事件后来怎么样了',
  '希望能在学校周边加装监控 防止孩子被拐',
  '高速路上的事故处理太慢了',
  '过马路的时候差点被车撞到 司机也不道歉',
  '小区门口的减速带太高了 容易摔跤',
  '这个桥的栏杆太矮了 怕有人掉下去',
  '游泳馆的水太脏了',
  '小区的游泳池没有救生员',
  '今年夏天太热了 希望多设几个纳凉点',
  '我想办理低保 家里老人常年卧床',
  '我妈做手术的医药费能报多少',
  '卫生院的医生态度很差',
  '急救中心的电话老是占线',
  '想问一下孕妇产检能不能报销',
  '食堂的饭菜太难吃了',
  '外卖里吃出了头发',
  '我想投诉一个卖假药的药店',
  '我的快递被人冒领了',
  '手机被偷了 想问派出所能不能查',
  '有人冒用我的身份信息贷款',
  '我在网上被骗了 想问怎么报案',
  '小区里有人高空抛物 砸坏了我的车',
  '楼上住户往下扔烟头',
  '我家的车被人划了',
  '有人在我家门口贴小广告',
  '邻居家的树挡住了我家阳光',
  '菜市场门口老有人吵架',
  '出租车拒载',
  '我们这里经常停电',
  '燃气表走得特别快',
  '暖气管道漏水了',
  '地下车库一下雨就积水',
  '路上的井盖被偷了',
  '路灯杆歪了 看着要倒',
  '山体有裂缝 担心下雨会滑坡',
  '这栋楼是危房 希望尽快改造',
  '老房子的墙体开裂了',
  '工地晚上还在打桩',
  '放烟花的声音太吵了',
  '我想问一下见义勇为怎么认定',
  '我爸脑梗住院 单位不给假',
  '小区里的健身器材坏了 有孩子被夹到手',
  '我想举报一个诈骗团伙',
  '孩子被同学欺负了 学校不处理',
  '我想了解一下心肺复苏的培训',
  '社区组织老人体检',
  '电动车进电梯太危险了',
  '楼道里有人吸烟 整个楼道都是烟味',
  '我想问一下火灾保险怎么买',
  '有人在河边烧纸 烟很大',
  '公园的湖结冰了 有孩子在上面玩 太危险了',
  '我们小区的消防设施全部过期了',
  '楼下理发店经常占用消防通道',
  '想了解一下家里起火保险能赔多少',
  '去年这里出过火灾 现在还是没有整改',
  '物业说要收燃气管道改造费',
  '燃气公司的人态度很差',
  '我家天然气表数字不对',
  '对门邻居经常在楼道抽烟 烟味很大',
  '工厂的烟囱排出黑烟 周围都是灰',
  '饭店排风口正对着我家',
  '小区的电梯老是出故障 上个月还困过人',
  '我们这条路晚上没有路灯 怕有人抢劫',
  '我想查一下去年我被打那个案子的进度',
  '邻居的孩子打了我家孩子 对方家长不道歉',
  '我老公的前妻一直打电话骚扰我',
  '他天天打我电话催债',
  '我被网贷公司骚扰 想投诉',
  '我妈被保健品推销的骗了两万块 想追回',
  '冒充公检法的诈骗电话太多了 能不能管管',
  '孩子的学校组织防溺水教育 我觉得很好',
  '河边的防护栏坏了 很容易有人掉下去',
  '小区的游泳池开放时间太短',
  '暴雨过后小区门口积水很深',
  '我家楼上漏水 天花板都泡坏了',
  '地下室一直返潮',
  '村里的堤坝年久失修 担心汛期',
  '小区里的老人经常在路边摔倒 路面太滑',
  '我妈以前中风过 现在走路不方便',
  '我爸心脏不好 想问问能不能办慢性病卡',
  '想咨询一下生孩子的医保报销比例',
  '我老婆怀孕了 单位要辞退她',
  '我怀疑饭店的菜不新鲜 吃了肚子不舒服',
  '去年食物中毒的那家饭店又开业了',
  '我想投诉120救护车司机态度不好',
  '急救车出车费用怎么这么贵',
  '医院挂号太难了',
  '药店卖的药比医院贵很多',
  '小区垃圾桶经常满了没人倒',
  '门口的快递柜经常坏',
  '单位不给交社保',
  '商家卖的电动车电池有问题 充电时发烫',
  '我买的手机电池鼓包了 商家不给换',
  '这个网吧里很多未成年人',
  '有人在小区里遛狗不拴绳',
  '邻居在楼顶种菜 担心楼顶承重',
  '这个工地的塔吊晚上还在作业 很吵',
  '楼上邻居晚上总是拖椅子',
  '我的车停在路边被贴了罚单',
  '小区里有人私拉电线给电动车充电',
  '孩子在学校被同学起外号',
  '老人被困在家里出不了门 因为电梯坏了一个月了',
  '今年夏天热死了 空调还坏了',
  '物业的人说再不交物业费就断水',
  '小区保安态度差 还骂人',
  '跳广场舞的音响太吵了',
  '我想问问见到有人打架应该打什么电话',
  '孩子想学游泳 有没有公益课程',
  '商场搞活动人太多了 差点挤倒',
  '银行排队太久了',
  '我想问一下防诈骗的宣传资料在哪里领',
  '我们小区的灭火器箱是空的',
  '前几天楼下着过火 物业也没来检查',
  '想问一下消防车进不来小区怎么办',
  '楼下烧烤店的烟很大 晚上都睁不开眼',
  '附近钢厂冒出的烟有刺鼻的味道',
  '厨房的抽油烟机坏了 满屋都是油烟',
  '燃气费比上个月多了一倍',
  '燃气公司说我家燃气管道老化 要强制更换',
  '小区的电动车充电桩经常坏',
  '上个月电梯里困了人 维保公司一直不来',
  '我想咨询一下家暴可以找哪个部门',
  '以前老公打过我 现在离婚了他还骚扰我',
  '孩子在学校跟人打架了 老师让我们去学校',
  '小区里有人遛狗 狗咬了人 主人不管',
  '我去年被人打伤的医药费对方一直不给',
  '手机号被人冒充申请了贷款',
  '接到一个冒充客服的电话 我没理他 想举报一下',
  '网上说有人在超市门口抢孩子 是真的吗',
  '我家狗丢了 找了好几天了',
  '老人在家里没人照顾 想申请养老院',
  '我妈年纪大了 经常忘事',
  '想问问走失老人防走失手环在哪里领',
  '有人在河里电鱼 影响环境',
  '水库边上有人游泳 很危险 希望加强管理',
  '小区旁边的河水很臭',
  '雨天地下通道积水很深 车都过不去',
  '小区的排水系统不行 一下雨就淹',
  '村里的路被山上冲下来的石头挡住了 已经好几天了',
  '楼房外墙的瓷砖掉下来了 差点砸到人',
  '我家房子墙上有裂缝',
  '我想问问中风病人的康复补助',
  '我爸心脏搭桥手术后能不能报销',
  '孕妇能不能享受高温补贴',
  '医院产科床位太紧张',
  '急救站离我们太远了',
  '救护车停在路边挡了路',
  '去年在饭店吃坏肚子 赔偿还没下来',
  '学校食堂的卫生不达标',
  '超市卖的蘑菇是不是有毒 想检测一下',
  '药店的处方药随便卖',
  '我想问一下高空坠物砸坏车怎么赔',
  '我家楼上住户天天吵架',
  '邻居家的孩子天天在楼道里跑',
  '楼下的KTV太吵了',
  '我被商家骗了 买的东西是假的',
  '诈骗短信天天发 说我中奖了',
  '我想办理居住证',
  '公交车上有人不戴口罩',
  '小区停车位太少了',
  '出租车司机绕路多收钱',
  '地铁上有人大声打电话',
  '单位拖欠工资 我快活不下去了',
  '燃放烟花爆竹的禁令什么时候出',
  '家里老人摔跤后一直卧床 想申请护理补贴',
  '我们家的燃气热水器不出热水了',
  '小区门口的水管漏水好几天了',
  '我想问一下急救培训在哪里报名',
  '社区能不能组织一下防火知识讲座',
  '孩子玩火把窗帘烧了个洞 想问问物业能不能帮忙换',
  '路边的树枝快掉下来了',
];

function describe(text: string): string {
  const v = checkEmergency(text);
  return `${text} → ${v.line ?? 'none'} ${v.matched.join('、')}${v.suppressed ? ` (suppressed: ${v.suppressed.map((x) => `${x.pattern} by ${x.by}`).join('; ')})` : ''}`;
}

/** A pattern refused as too slow to run, for the reason `why` names (exponential, unbounded...). */
const slow = (why: RegExp) => (e: unknown) => ClassifierErrors.EMERGENCY_PATTERN_SLOW.is(e) && why.test(String(e.params.risk));
test('every emergency of every kind is flagged, with the line it needs', () => {
  setEmergencyRules(defaultEmergencyRules());
  setEmergencyContexts(defaultEmergencyContexts());
  assert.ok(EMERGENCIES.length >= 60);
  const all = [...EMERGENCIES, ...MORE_EMERGENCIES];
  const missed = all.filter(([t]) => !checkEmergency(t).is).map(([t]) => describe(t));
  assert.deepEqual(missed, [], 'not flagged');
  const wrongLine = all.filter(([t, line]) => checkEmergency(t).line !== line).map(([t, l]) => `${describe(t)} (want ${l})`);
  assert.deepEqual(wrongLine, [], 'wrong line');
  for (const [t] of all) assert.ok(checkEmergency(t).reason, t);
});

test('ordinary complaints that name a danger in a past, general or administrative sense stay quiet', () => {
  setEmergencyRules(defaultEmergencyRules());
  setEmergencyContexts(defaultEmergencyContexts());
  assert.ok(ORDINARY.length >= 60);
  const flagged = [...ORDINARY, ...MORE_ORDINARY].filter((t) => checkEmergency(t).is).map(describe);
  assert.deepEqual(flagged, [], 'flagged');
});

test('a match silenced by context is reported, and never removes an alert from another rule', () => {
  const quiet = checkEmergency('去年那场火灾的赔偿到现在还没到位');
  assert.equal(quiet.is, false);
  assert.deepEqual(quiet.matched, []);
  assert.equal(quiet.suppressed?.[0]?.pattern, '火灾');
  assert.equal(quiet.suppressed?.[0]?.text, '火灾');
  assert.ok(['except', 'before', 'after'].includes(quiet.suppressed?.[0]?.where ?? ''));

  const both = checkEmergency('楼道里有火灾隐患没人管，现在楼下有人在打人');
  assert.equal(both.is, true);
  assert.equal(both.line, '110');
  assert.ok(both.matched.includes('打人'));
  assert.ok(!both.matched.includes('火灾'), 'a silenced rule is not among the matched (automatic transfer reads them)');
  assert.deepEqual(
    both.suppressed?.map((s) => [s.pattern, s.where]),
    [['火灾', 'except']],
  );
  assert.equal(checkEmergency('楼下有人持刀').suppressed, undefined, 'absent when nothing was silenced');
});

test('a general context sits before or after the match; a "now" word between cancels it', () => {
  const past = checkEmergency('以前的房子着火了，保险公司不赔');
  assert.equal(past.is, false);
  assert.deepEqual(
    past.suppressed?.map((s) => [s.pattern, s.by, s.where]),
    [['着火', defaultEmergencyContexts()[0]!.pattern, 'before']],
  );
  assert.equal(checkEmergency('以前的房子现在着火了').line, '119');
  const after = checkEmergency('被人打了的案子');
  assert.equal(after.is, false);
  assert.equal(after.suppressed?.[0]?.where, 'after');
  assert.equal(checkEmergency('被人打了 现在 的 案子').is, true, '现在 between the match and 案子');
  // Another occurrence of the same rule, out of the context, still counts.
  assert.equal(checkEmergency('他以前就打我，今天他又打我').line, '110');
});

test('a rule or context edited in memory takes effect at once; except entries are the rule’s own', () => {
  try {
    setEmergencyRules([{ pattern: '钓鱼', kind: 'keyword', line: '110', reason: '测试', except: ['钓鱼(比赛|协会)'] }]);
    assert.equal(checkEmergency('河边有人钓鱼').is, true);
    assert.equal(checkEmergency('河边有钓鱼比赛').is, false);
    assert.equal(checkEmergency('河边有钓鱼比赛').suppressed?.[0]?.by, '钓鱼(比赛|协会)');
    setEmergencyContexts([{ pattern: '河边', role: 'before', note: '测试' }]);
    assert.equal(checkEmergency('河边有人钓鱼').is, false);
    setEmergencyContexts([
      { pattern: '河边', role: 'before', note: '测试' },
      { pattern: '有人', role: 'now', note: '测试' },
    ]);
    assert.equal(checkEmergency('河边有人钓鱼').is, true, 'a site-defined now word');
  } finally {
    setEmergencyRules(defaultEmergencyRules());
    setEmergencyContexts(defaultEmergencyContexts());
  }
});

test('every shipped pattern is a valid, linear-time-safe regular expression; unsafe ones are refused', () => {
  const rules = defaultEmergencyRules();
  assert.ok(rules.length >= 200, `${rules.length} rules`);
  for (const r of rules) {
    assert.doesNotThrow(() => validateRule(r), r.pattern);
    assert.ok(r.pattern.length <= 200, `${r.pattern} is longer than the column allows`);
  }
  const unique = new Set(rules.map((r) => `${r.kind}:${r.pattern}`));
  assert.equal(unique.size, rules.length, 'no duplicate (pattern, kind)');
  for (const p of ['(a+)+', '(a|ab)*', '(.{0,3}x)+', '(打|揍){2,}']) assert.ok(nestedRepetition(p), p);
  for (const p of ['(想|要)(去)?死', '[0-9一二两]+(万|千)', '(ab){3}', '(?!x)a', '\\(a|b\\)+']) assert.equal(nestedRepetition(p), null, p);
  assert.throws(() => validateRule({ pattern: '(打|揍)+人', kind: 'regex', line: '110' }), slow(/exponential/));
  assert.throws(() => validateRule({ pattern: '人?', kind: 'regex', line: '110' }), ClassifierErrors.EMERGENCY_PATTERN_MATCHES_EMPTY.is);
  assert.throws(
    () => validateRule({ pattern: '火灾', kind: 'keyword', line: '119', except: ['(隐患'] }),
    (e) => ClassifierErrors.EMERGENCY_PATTERN_INVALID.is(e) && e.params.what === 'except entry',
  );
  assert.throws(
    () => validateRule({ pattern: '火灾', kind: 'keyword', line: '119', except: ['.*'] }),
    ClassifierErrors.EMERGENCY_PATTERN_MATCHES_EMPTY.is,
  );
});

test('patterns that could stall the event loop are refused when saved and skipped when already stored', () => {
  for (const p of ['(x+x+)+y', '(a)\\1', '(?<w>a)\\k<w>', '火.*灾.*烧.+了']) assert.ok(regexRisk(p), p);
  for (const p of ['[0-9]+(万|千)', '\\d+元.*欠', '火.{0,6}灾', '\\\\1', '[*+]{3}']) assert.equal(regexRisk(p), null, p);
  assert.throws(() => validateRule({ pattern: '(x+x+)+y', kind: 'regex', line: '110' }), slow(/exponential/));
  assert.throws(() => validateRule({ pattern: 'a.*b.*c.*d', kind: 'regex', line: '110' }), slow(/unbounded repetitions/));
  // A rule written into the table before these checks existed (or by hand) must not run:
  // (x+x+)+y blocked the loop for 27 s on 30 characters before.
  const bad = {
    pattern: '(x+x+)+y',
    kind: 'regex' as const,
    line: '110' as const,
    reason: 'bad',
    priority: 1,
    active: true,
    except: ['(a+)+b'],
  };
  try {
    setEmergencyRules([bad, ...defaultEmergencyRules()]);
    setEmergencyContexts([{ pattern: '(c|cd)+e', role: 'before', note: 'bad', active: true }, ...defaultEmergencyContexts()]);
    const started = process.hrtime.bigint();
    const verdict = checkEmergency(`${'x'.repeat(30)} 有人持刀砍人`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.equal(verdict.is, true, 'the other rules still work');
    assert.equal(checkEmergency('x'.repeat(30)).is, false);
  } finally {
    setEmergencyRules(defaultEmergencyRules());
    setEmergencyContexts(defaultEmergencyContexts());
  }
});

test('checkEmergency stays in microseconds per segment with the full rule set', () => {
  setEmergencyRules(defaultEmergencyRules());
  setEmergencyContexts(defaultEmergencyContexts());
  const base = [...EMERGENCIES, ...MORE_EMERGENCIES].map(([t]) => t).concat(ORDINARY, MORE_ORDINARY);
  const texts = Array.from({ length: 1000 }, (_, i) => {
    const t = base[i % base.length]!;
    return i % 10 === 9 ? `${t}，${base[(i * 7) % base.length]}，${base[(i * 13) % base.length]}` : t;
  });
  for (const t of texts) checkEmergency(t); // warm up
  const t0 = process.hrtime.bigint();
  for (const t of texts) checkEmergency(t);
  const perCallUs = Number(process.hrtime.bigint() - t0) / texts.length / 1000;
  console.log(`checkEmergency: ${perCallUs.toFixed(1)} µs per text over ${texts.length} texts (${defaultEmergencyRules().length} rules)`);
  assert.ok(perCallUs < 1000, `${perCallUs} µs per call`);
});

for (const engine of ENGINES) {
  test(`${engine}: 0210 upgrades an existing database: new rules and exceptions, the site's own rules kept`, async () => {
    const db = await createTestDb(engine, { migrated: false });
    try {
      const files = await listMigrations();
      await migrate(
        db,
        files.filter((f) => f.name < '0210'),
      );
      // What a site did before 0210: its own rule with a pattern 0210 ships, a shipped rule removed.
      await db.query(
        `INSERT INTO emergency_rules (pattern, kind, line, reason, priority) VALUES ('中暑', 'keyword', '110', '站点规则', 5)`,
      );
      await db.query(`DELETE FROM emergency_rules WHERE pattern = '打架'`);
      await migrate(db, files);
      const rules = await listEmergencyRules(db);
      const site = rules.find((r) => r.pattern === '中暑');
      assert.deepEqual([site?.line, site?.reason, site?.except], ['110', '站点规则', []], "the site's rule is left as it was");
      assert.equal(
        rules.find((r) => r.pattern === '打架'),
        undefined,
        'a removed shipped rule stays removed',
      );
      assert.ok(
        rules.find((r) => r.pattern === '火灾')?.except.some((e) => e.includes('隐患')),
        'shipped rules get their exceptions',
      );
      const shipped = defaultEmergencyRules().filter((r) => r.pattern !== '打架' && r.pattern !== '中暑');
      assert.equal(rules.length, shipped.length + 1);
      const contexts = await listEmergencyContexts(db);
      assert.equal(contexts.length, defaultEmergencyContexts().length);
    } finally {
      await db.destroy();
    }
  });

  test(`${engine}: a fresh database has the file's rules with their exceptions and contexts; sites edit both`, async () => {
    const db = await createTestDb(engine);
    try {
      const seeded = await listEmergencyRules(db);
      assert.deepEqual(
        seeded.map((r) => [r.pattern, r.kind, r.line, r.reason, r.except]),
        defaultEmergencyRules().map((r) => [r.pattern, r.kind, r.line, r.reason, r.except]),
      );
      const contexts = await listEmergencyContexts(db);
      const key = (c: { pattern: string; role: string; note: string }) => `${c.role}|${c.pattern}|${c.note}`;
      assert.deepEqual(contexts.map(key).sort(), defaultEmergencyContexts().map(key).sort());

      await loadEmergencyRules(db);
      assert.equal(checkEmergency('河边有人钓鱼').is, false);
      const rule = await addEmergencyRule(db, {
        pattern: '钓鱼',
        kind: 'keyword',
        line: '110',
        reason: '测试规则',
        except: [' 钓鱼比赛 ', ''],
      });
      assert.deepEqual(rule.except, ['钓鱼比赛'], 'entries are trimmed and empty ones dropped');
      assert.equal(checkEmergency('河边有人钓鱼').is, true);
      assert.equal(checkEmergency('河边有钓鱼比赛').is, false);
      await updateEmergencyRule(db, rule.id, { except: [] });
      assert.equal(checkEmergency('河边有钓鱼比赛').is, true);
      await assert.rejects(updateEmergencyRule(db, rule.id, { except: ['(比赛'] }), ClassifierErrors.EMERGENCY_PATTERN_INVALID.is);

      const ctx = await addEmergencyContext(db, { pattern: '河边有', role: 'before', note: '测试' });
      assert.equal(checkEmergency('河边有钓鱼比赛').is, false);
      await updateEmergencyContext(db, ctx.id, { active: false });
      assert.equal(checkEmergency('河边有钓鱼比赛').is, true);
      await assert.rejects(
        addEmergencyContext(db, { pattern: '河边有', role: 'before', note: 'x' }),
        ClassifierErrors.EMERGENCY_CONTEXT_EXISTS.is,
      );
      await assert.rejects(addEmergencyContext(db, { pattern: '(a|b)+', role: 'before', note: 'x' }), slow(/exponential/));
      await assert.rejects(updateEmergencyContext(db, 999999, { active: false }), ClassifierErrors.EMERGENCY_CONTEXT_NOT_FOUND.is);
    } finally {
      setEmergencyRules(defaultEmergencyRules());
      setEmergencyContexts(defaultEmergencyContexts());
      await db.destroy();
    }
  });
}
