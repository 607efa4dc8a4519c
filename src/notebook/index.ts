/**
 * The notebooks' one import: `import * as bs from './src/notebook/index';` (tslab cannot import a folder, hence
 * `/index`). Everything a notebook cell calls, grouped by what it is for, each with a one-line example; the
 * modules behind it are tested on their own. Internals (HTML builders, cell formatting) are not exported here.
 */

// ---- Parameters: the cell at the top of each notebook; edit it, then run it and everything below -----------------
// const params = bs.parameters({ k: 5 })         input, k (or 'auto'), features, seed; the rest from the defaults below, said in one line
// bs.DEFAULT_MODEL_FEATURES, bs.DEFAULT_SEED     the model's features (from the feature registry) and the seed used when not set
export { parameters } from './parameters';
export { DEFAULT_SEED } from '../config';

// ---- Data: where it comes from, read → clean → features, the segmentation (both from the stage cache) ----------
// bs.source()                                    {} for the generated default, or { input } / { url, table } from BANKSEG_INPUT / BANKSEG_URL
// const data = await bs.load(params);            data.raw, data.clean, data.quality, data.features, data.cache (params.input, else bs.source())
// const seg = await bs.segment(data.features, params);  k, features and seed from the parameters; seg.segments: profiles, names, actions
// bs.kChoice(seg.k, seg.recommendation)          '**k = 5**, as requested; the sweep recommends **k = 6**: …' (Markdown)
// await bs.exportReportFigures(data, seg);       every figure as PNG, SVG and HTML in figures/
// bs.clearCache()                                removes the stage cache (copies of personal data), as `bankseg cache clear`
// await bs.assignInDatabase(model, { out: 'customer_segments' })   with BANKSEG_URL: every customer scored inside the database
export { source, load, segment, exportReportFigures, assignInDatabase } from './data';
export { kChoice } from '../segment/k_choice';
export { clearCache } from '../io/cache';

// ---- The saved model: save it, score new data with it, follow the segments across periods (notebooks 04, 07) -----
// const model = bs.saveModel(seg, data);         writes bs.MODEL_FILE, data/processed/model.json (docs/model.md), as `bankseg segment`
// const model = bs.loadModel();                  reads it back (another format version or feature set: one line)
// const a = await bs.assign(model, { input: await bs.nextPeriodFile() });   scores new data, as `bankseg assign`
// const mg = await bs.migrate(model, [file1, file2], { period: 'input' });  segments across periods ({ period: 'month' }, { asOf: [...] })
// bs.periodsTable(bs.months(data.clean))        the calendar months and whether the data supports each as a period
// const files = await bs.periodFiles(params, next)   notebook 07's training file and new period (the generated next period of the default data)
// bs.assignmentTable(a), bs.driftTable(a), bs.periodsTable(mg), bs.migrationTable(model, mg), bs.migrationCaption(mg)
// bs.driftPsi(a), bs.migrationFigure(model, mg)  the figures (the registry's drift_psi and segment_migration)
// bs.showMarkdown(bs.assignmentReport(a)), bs.showMarkdown(bs.migrationReport(model, mg))   the reports
// await bs.defaultDataFile(), await bs.nextPeriodFile()   the generated default data and its next period (made if missing)
// await bs.sourceFile()                          the notebooks' source as a file (BANKSEG_INPUT, else the default data)
export {
  saveModel, loadModel, assign, migrate, nextPeriodFile, defaultDataFile, sourceFile, periodFiles, months, assignmentTable, driftTable,
  periodsTable, migrationTable, migrationCaption, driftPsi, migrationFigure, assignmentReport, migrationReport, MODEL_FILE,
} from './monitor';

// ---- Tables ------------------------------------------------------------------------------------------------------
// bs.head(data.raw, 8)                           the first rows of any table (raw, clean, features or columns)
// bs.describe(data.features)                     count, missing, mean, std, quartiles of every numeric column
// bs.frame({ a: [1, 2], b: ['x', 'y'] })         a DataFrame from plain columns
// bs.segmentTable(seg)                           one row per segment: size, shares, medians
// bs.sweepTable(seg.kSweep)                      one row per k: inertia, silhouette, Davies–Bouldin, stability checks
// bs.rfmTable(seg)                               customers by k-means segment (rows) and RFM segment (columns)
// bs.mixTable(seg, 'gender')                     a category's shares per segment (gender, location, timeOfDay)
export { head, describe, frame, segmentTable, sweepTable, rfmTable, mixTable } from './tables';

// ---- Showing results -----------------------------------------------------------------------------------------------
// await bs.show(fig)                             a figure (interactive, with its images), a list of figures, or a table: bs.show(bs.head(data.raw), { caption: '…' })
// bs.showMarkdown('**found**: …')                Markdown, e.g. the findings
// bs.showText(report)                            preformatted text, e.g. the data-quality report
export { show, showMarkdown, showText } from './display';

// ---- Figures (specs; src/visualize/figure_registry.ts lists them all) -----------------------------------------------
// bs.missingValues(data.raw), bs.amountDistribution(data.clean), bs.transactionsByDate(data.clean),
// bs.transactionsByHour(data.clean), bs.topLocations(data.clean), bs.balanceDistribution(data.features),
// bs.ageDistribution(data.features), bs.genderSplit(data.features), bs.kSelection(seg.kSweep, seg.recommendation, seg.k),
// bs.segmentSizes(seg), bs.segmentMap(seg), bs.centroidProfile(seg), bs.segmentBoxPlots(data.features, seg),
// bs.moneyShare(data.features, seg), bs.reportFigures(data, seg)
export {
  missingValues, amountDistribution, transactionsByDate, transactionsByHour, topLocations, balanceDistribution, ageDistribution,
  genderSplit,
} from '../visualize/eda';
export { kSelection, segmentSizes, segmentMap, centroidProfile, segmentBoxPlots, moneyShare } from '../visualize/segments';
export { reportFigures } from '../visualize/figure_registry';

// ---- Facts for the findings ------------------------------------------------------------------------------------------
// bs.profile(data.raw)                           rows, customers, missing values, placeholder DOBs, date range
// bs.showText(bs.profileText(profile, data.raw)) the profile as text
// bs.showText(bs.qualityReport(data.quality))    the data-quality report as text
// bs.hourCounts(data.clean.time), bs.topValues(data.clean.location, 3), bs.countCodes(data.features.gender)
// bs.quantile(data.clean.amount, 0.5)            type-7 quantile, NaN ignored
// bs.silhouetteWords(seg.silhouette)             'weak structure: segments overlap', …
// bs.insightsReport(seg, data).md               the business report (Markdown and HTML)
// bs.associationWords(seg.context.mix.gender.test)   'differs between segments, but negligibly (Cramér's V 0.06, p < 0.001)'
// bs.strongCorrelations(seg.space)               model features correlated above |r| 0.95
// bs.DEFAULT_MODEL_FEATURES                      the model's default features (segment(features, { features }) takes others)
// bs.RFM_SEGMENTS                                the RFM segment names, in the order of seg.context.rfm.customers
// bs.rfmRecencyNote(seg)                         how to read At risk, Hibernating… when recency describes a sample ('' otherwise)
// bs.count(1048567), bs.pct(0.123), bs.inr(1234.5), bs.num(0.2457)   '1,048,567', '12.3%', 'INR 1,235', '0.25'
export { profileTransactions as profile, formatProfile as profileText } from '../explore/profile';
export { formatQualityReport as qualityReport } from '../preprocess/quality';
export { hourCounts, topValues, countCodes } from '../explore/aggregate';
export { quantile } from '../stats/quantile';
export { silhouetteWords, renderInsights as insightsReport, rfmRecencyNote } from '../insights/report';
export { count, pct, inr, num } from '../format';
export { associationWords } from '../insights/mix';
export { RFM_SEGMENTS } from '../insights/rfm';
export { strongCorrelations } from '../segment/space';
export { DEFAULT_MODEL_FEATURES } from '../preprocess/feature_registry';
