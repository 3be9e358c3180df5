using System.Collections;
using System.Globalization;
using System.Text;

namespace Monitoring.Alerting.Labels;

/// <summary>
/// An immutable set of label name/value pairs, sorted by name (ordinal), as Prometheus and Alertmanager hold them.
/// A missing label and a label with an empty value are the same thing (empty values are dropped on construction).
/// </summary>
public sealed class LabelSet : IReadOnlyList<KeyValuePair<string, string>>, IEquatable<LabelSet>
{
    /// <summary>The set without labels.</summary>
    public static readonly LabelSet Empty = new([]);

    private readonly KeyValuePair<string, string>[] _pairs;
    private ulong? _fingerprint;

    private LabelSet(KeyValuePair<string, string>[] sortedPairs) => _pairs = sortedPairs;

    /// <summary>Builds a set from pairs; a later pair with the same name wins; empty values are dropped.</summary>
    public static LabelSet From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            if (string.IsNullOrEmpty(value))
            {
                map.Remove(name);
            }
            else
            {
                map[name] = value;
            }
        }
        return map.Count == 0 ? Empty : new LabelSet([.. map]);
    }

    /// <summary>Builds a set from alternating names and values: <c>Of("alertname", "X", "model", "m")</c>.</summary>
    public static LabelSet Of(params string[] namesAndValues)
    {
        if (namesAndValues.Length % 2 != 0)
        {
            throw new ArgumentException("Names and values must alternate.", nameof(namesAndValues));
        }
        var pairs = new KeyValuePair<string, string>[namesAndValues.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new(namesAndValues[2 * i], namesAndValues[2 * i + 1]);
        }
        return From(pairs);
    }

    /// <summary>Number of labels.</summary>
    public int Count => _pairs.Length;

    /// <inheritdoc />
    public KeyValuePair<string, string> this[int index] => _pairs[index];

    /// <summary>The value of <paramref name="name"/>, or the empty string when absent (Prometheus semantics).</summary>
    public string this[string name] => TryGetValue(name, out var value) ? value : string.Empty;

    /// <summary>Label names in order.</summary>
    public IEnumerable<string> Names => _pairs.Select(p => p.Key);

    /// <summary>Looks a label up by name (binary search).</summary>
    public bool TryGetValue(string name, out string value)
    {
        int lo = 0, hi = _pairs.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(_pairs[mid].Key, name);
            if (c == 0)
            {
                value = _pairs[mid].Value;
                return true;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        value = string.Empty;
        return false;
    }

    /// <summary>True when the label is present (with a non-empty value).</summary>
    public bool Contains(string name) => TryGetValue(name, out _);

    /// <summary>A copy with these labels set (or removed, for an empty value).</summary>
    public LabelSet With(IEnumerable<KeyValuePair<string, string>> overrides) => From(_pairs.Concat(overrides));

    /// <summary>A copy with one label set (or removed, for an empty value).</summary>
    public LabelSet With(string name, string value) => With([new KeyValuePair<string, string>(name, value)]);

    /// <summary>A copy with only the named labels.</summary>
    public LabelSet Only(IEnumerable<string> names)
    {
        var keep = names as ISet<string> ?? new HashSet<string>(names, StringComparer.Ordinal);
        return new LabelSet([.. _pairs.Where(p => keep.Contains(p.Key))]);
    }

    /// <summary>A copy without the named labels.</summary>
    public LabelSet Without(IEnumerable<string> names)
    {
        var drop = names as ISet<string> ?? new HashSet<string>(names, StringComparer.Ordinal);
        return new LabelSet([.. _pairs.Where(p => !drop.Contains(p.Key))]);
    }

    /// <summary>
    /// Prometheus' label-set fingerprint (<c>model.LabelSet.Fingerprint</c>): FNV-1a 64 over each name, a 0xFF byte, the
    /// value and a 0xFF byte, in name order. Alertmanager shows it as 16 lowercase hex digits.
    /// </summary>
    public ulong Fingerprint => _fingerprint ??= ComputeFingerprint();

    /// <summary>The fingerprint as Alertmanager prints it (<c>%016x</c>).</summary>
    public string FingerprintHex => Fingerprint.ToString("x16", CultureInfo.InvariantCulture);

    private ulong ComputeFingerprint()
    {
        const ulong Offset = 14695981039346656037UL;
        const ulong Prime = 1099511628211UL;
        var hash = Offset;
        Span<byte> buffer = stackalloc byte[256];
        foreach (var (name, value) in _pairs)
        {
            hash = Add(hash, name, buffer);
            hash = (hash ^ 0xFF) * Prime;
            hash = Add(hash, value, buffer);
            hash = (hash ^ 0xFF) * Prime;
        }
        return hash;

        static ulong Add(ulong h, string s, Span<byte> buffer)
        {
            var bytes = Encoding.UTF8.GetMaxByteCount(s.Length) <= buffer.Length ? buffer : new byte[Encoding.UTF8.GetMaxByteCount(s.Length)];
            var n = Encoding.UTF8.GetBytes(s, bytes);
            foreach (var b in bytes[..n])
            {
                h = (h ^ b) * Prime;
            }
            return h;
        }
    }

    /// <summary>Prometheus notation: <c>{model="m", severity="page"}</c> (values escaped as Go's %q does for ASCII).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        for (var i = 0; i < _pairs.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(_pairs[i].Key).Append('=');
            AppendQuoted(sb, _pairs[i].Value);
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Appends <paramref name="value"/> in double quotes with backslash escapes.</summary>
    public static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }

    /// <summary>The labels as a dictionary (a copy).</summary>
    public Dictionary<string, string> ToDictionary() => _pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <inheritdoc />
    public bool Equals(LabelSet? other)
    {
        if (other is null || other._pairs.Length != _pairs.Length)
        {
            return false;
        }
        for (var i = 0; i < _pairs.Length; i++)
        {
            if (!string.Equals(_pairs[i].Key, other._pairs[i].Key, StringComparison.Ordinal) ||
                !string.Equals(_pairs[i].Value, other._pairs[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    /// <inheritdoc />
    public override int GetHashCode() => Fingerprint.GetHashCode();

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
