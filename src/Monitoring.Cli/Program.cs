using System.CommandLine;
using Monitoring.Cli;
using Monitoring.Datasets;
using Monitoring.Cli.Drift;
using Monitoring.Cli.Output;
using Monitoring.Stats.Drift;

var reference = new Option<string>("--reference") { Description = "Reference CSV (header row; empty cell = null).", Required = true };
var current = new Option<string>("--current") { Description = "Current CSV to compare with the reference.", Required = true };
var categorical = new Option<string?>("--categorical") { Description = "Comma-separated columns to treat as categorical even when numeric." };
var scoreColumn = new Option<string?>("--score-column") { Description = "Binary classifier score column (probability in [0,1]) in the current file." };
var labelColumn = new Option<string?>("--label-column") { Description = "0/1 ground-truth label column in the current file." };
var format = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
format.AcceptOnlyFromAmong("table", "json");

var drift = new Command("drift", "Compare a reference and a current CSV column by column (exact statistics, no sampling).")
{
    reference, current, categorical, scoreColumn, labelColumn, format,
};
drift.SetAction(parse =>
{
    var options = new DriftOptions(
        parse.GetValue(reference)!,
        parse.GetValue(current)!,
        (parse.GetValue(categorical) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        parse.GetValue(scoreColumn),
        parse.GetValue(labelColumn),
        parse.GetValue(format) == "json" ? OutputFormat.Json : OutputFormat.Table);
    return DriftCommand.Run(options, Console.Out, Console.Error);
});

var root = new RootCommand("monitoring: ML drift and model-quality monitoring.") { drift };
return root.Parse(args).Invoke();
