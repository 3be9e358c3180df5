namespace Monitoring.Grains.Sharding;

/// <summary>
/// Hot models (<c>Monitoring:Sharding</c>): models whose numeric feature values are folded by shard grains instead of
/// the model grain, so one model can take more records than one grain folds (README, "Hot models").
/// </summary>
public sealed class ShardingOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Sharding";

    /// <summary>Most shards a model may have.</summary>
    public const int MaxShards = 64;

    /// <summary>The sharded models: <c>- {Model: default/clicks, Shards: 4}</c>.</summary>
    public List<ShardedModel> Models { get; set; } = [];

    /// <summary>Shards of a model (0 = not sharded).</summary>
    public int ShardsOf(string grainKey) => Models.LastOrDefault(m => m.Model == grainKey)?.Shards ?? 0;

    /// <summary>Errors naming the setting and the reason; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        for (var i = 0; i < Models.Count; i++)
        {
            var m = Models[i];
            if (string.IsNullOrWhiteSpace(m.Model) || m.Model.IndexOf('/', StringComparison.Ordinal) is <= 0 || m.Model.EndsWith('/'))
            {
                errors.Add($"{Section}:Models:{i}:Model must be tenant/model (got '{m.Model}')");
            }

            if (m.Shards is < 0 or > MaxShards)
            {
                errors.Add($"{Section}:Models:{i}:Shards must be 0 to {MaxShards} (got {m.Shards})");
            }
        }

        return errors;
    }
}

/// <summary>One sharded model.</summary>
public sealed class ShardedModel
{
    /// <summary>The model, <c>tenant/model</c>.</summary>
    public string Model { get; set; } = "";

    /// <summary>Shard grains folding its numeric values (1 to 64; 0 turns sharding off).</summary>
    public int Shards { get; set; }
}
