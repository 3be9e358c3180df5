using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Sharding;
using Monitoring.Aggregation.Windows;
using Monitoring.Storage;

namespace Monitoring.Grains.Sharding;

/// <summary>
/// Hosts one <see cref="NumericShard"/>: folds the feeds the ingest path hands it, reads what it missed back from the
/// model's log (on activation, and before handing a window over), checkpoints its windows with the log position they
/// include, and loads the bin edges of the references its windows count against from the report store, where the
/// model keeps its current reference while it has shards.
/// </summary>
public sealed class ModelShardGrain(
    [PersistentState("shard", "monitoring")] IPersistentState<ShardState> state,
    IEventLog eventLog,
    IReportStore reports,
    TimeProvider time,
    ILogger<ModelShardGrain> logger) : Grain, IModelShardGrain
{
    private static readonly long CheckpointNanos = UnixNanos.FromTimeSpan(ModelGrain.CheckpointInterval);

    private readonly Dictionary<int, Dictionary<string, NumericAccumulator.Kernels>?> _kernels = [];
    private ModelKey _model;
    private NumericShard _shard = null!;
    private long _lastCheckpoint;
    private bool _untrusted;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (model, index, _) = ShardKeys.Parse(this.GetPrimaryKeyString());
        _model = model;
        _shard = new NumericShard(index, state.State);
        _lastCheckpoint = UnixNanos.Now(time);
        // Appends logged since the checkpoint (a restart, a missed feed): read back now, so later feeds chain at once.
        var records = _shard.Started ? await ReadBackAsync(long.MaxValue, cancellationToken) : 0;
        GrainsLog.ShardActivated(logger, _model.GrainKey, index, state.State.Watermark, records);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!_untrusted && state.State.Watermark > 0)
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task FeedAsync(ShardFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        await LoadKernelsAsync(_shard.ReferenceVersionsFor(feed));
        _shard.Feed(feed, Kernels);
        if (state.State.Parked.Count > 0)
        {
            // An append it never heard of (a failed call, or one still on its way): read it back now, while it is recent.
            await ReadBackAsync(state.State.Parked[^1].Last, CancellationToken.None);
        }

        if (UnixNanos.Now(time) - _lastCheckpoint >= CheckpointNanos)
        {
            await CheckpointAsync();
        }
    }

    /// <inheritdoc />
    public async Task<ShardWindow> TakeAsync(long start, long end, long appliedSequence)
    {
        await ReadBackAsync(appliedSequence, CancellationToken.None);
        var taken = _shard.Take(start, end);
        await CheckpointAsync();
        return taken;
    }

    private Dictionary<string, NumericAccumulator.Kernels>? Kernels(int version) => _kernels.GetValueOrDefault(version);

    /// <summary>Folds this shard's records of the model's log in every gap up to <paramref name="target"/>.</summary>
    private async Task<int> ReadBackAsync(long target, CancellationToken cancellationToken)
    {
        var records = 0;
        foreach (var gap in _shard.Gaps(target))
        {
            await LoadKernelsAsync(state.State.Windows.Values.Select(w => w.ReferenceVersion).Append(state.State.ReferenceVersion));
            var last = gap.Previous;
            await foreach (var logged in eventLog.ReadAsync(_model, gap.Previous, cancellationToken))
            {
                if (logged.Sequence > gap.Last)
                {
                    break;
                }

                _shard.FoldLogged(logged, Kernels);
                last = logged.Sequence;
                records++;
            }

            // Reading to the end of the log (activation), the gap ends at its last record.
            _shard.GapRead(gap.Last == long.MaxValue ? gap with { Last = last } : gap);
        }

        return records;
    }

    private async Task LoadKernelsAsync(IEnumerable<int> versions)
    {
        foreach (var version in versions.Where(v => v != 0 && !_kernels.ContainsKey(v)).Distinct().ToList())
        {
            var stored = await reports.GetAsync(_model, ReportKinds.Reference, version);
            _kernels[version] = stored is null ? null : JsonSerializer.Deserialize<ReferenceProfile>(stored.Json, ReportJson.Options)?.NumericKernels();
        }
    }

    private async Task CheckpointAsync()
    {
        try
        {
            await state.WriteStateAsync();
            _lastCheckpoint = UnixNanos.Now(time);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GrainsLog.ShardCheckpointFailed(logger, e, _model.GrainKey, _shard.Index);
            _untrusted = true;
            DeactivateOnIdle();
            throw;
        }
    }
}
