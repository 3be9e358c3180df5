using System.CommandLine;
using Monitoring.Cli;
using Monitoring.Datasets;
using Monitoring.Cli.Drift;
using Monitoring.Cli.Output;
using Monitoring.Cli.Reference;
using Monitoring.Stats.Drift;

var referenceFile = new Option<string>("--reference") { Description = "Reference CSV (header row; empty cell = null).", Required = true };
var current = new Option<string>("--current") { Description = "Current CSV to compare with the reference.", Required = true };
var categorical = new Option<string?>("--categorical") { Description = "Comma-separated columns to treat as categorical even when numeric." };
var scoreColumn = new Option<string?>("--score-column") { Description = "Binary classifier score column (probability in [0,1]) in the current file." };
var labelColumn = new Option<string?>("--label-column") { Description = "0/1 ground-truth label column in the current file." };
var format = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
format.AcceptOnlyFromAmong("table", "json");

var drift = new Command("drift", "Compare a reference and a current CSV column by column (exact statistics, no sampling).")
{
    referenceFile, current, categorical, scoreColumn, labelColumn, format,
};
drift.SetAction(parse =>
{
    var options = new DriftOptions(
        parse.GetValue(referenceFile)!,
        parse.GetValue(current)!,
        (parse.GetValue(categorical) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        parse.GetValue(scoreColumn),
        parse.GetValue(labelColumn),
        parse.GetValue(format) == "json" ? OutputFormat.Json : OutputFormat.Table);
    return DriftCommand.Run(options, Console.Out, Console.Error);
});

var server = new Option<string>("--server") { Description = "API address of the silo.", DefaultValueFactory = _ => ReferenceCommand.DefaultServer };
var tenant = new Option<string>("--tenant") { Description = "Tenant of the model.", DefaultValueFactory = _ => "default" };
var model = new Option<string>("--model") { Description = "Model id (ml.model.id).", Required = true };
var file = new Option<string>("--file") { Description = "Reference file: CSV with a header row, or Parquet.", Required = true };
var refScore = new Option<string?>("--score-column") { Description = "Column holding the model's score (compared with ml.prediction.score)." };
var refCategorical = new Option<string?>("--categorical") { Description = "Comma-separated columns to treat as categorical." };
var set = new Command("set", "Upload a reference file for a model; it fixes the bin edges of the following windows.")
{
    server, tenant, model, file, refScore, refCategorical,
};
set.SetAction((parse, ct) => ReferenceCommand.SetAsync(
    parse.GetValue(server)!, parse.GetValue(tenant)!, parse.GetValue(model)!, parse.GetValue(file)!,
    parse.GetValue(refScore), parse.GetValue(refCategorical), Console.Out, Console.Error, ct));
var reference = new Command("reference", "Manage a model's reference distribution on a running silo.") { set };

var root = new RootCommand("monitoring: ML drift and model-quality monitoring.") { drift, reference };
return root.Parse(args).Invoke();
