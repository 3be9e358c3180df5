using System.Text;
using CsCheck;

namespace Monitoring.Testing;

/// <summary>
/// Byte-level mutations shared by the fuzz targets that mutate encoded inputs (OTLP protobuf and JSON, CSV, Parquet).
/// A generator draws where (an offset in [0, 2^20], taken modulo the input's length so one draw fits any input) and
/// what, and yields a function returning a mutated copy (the input array is never changed; an empty input stays
/// empty except under insertion). Each generator is the same composition of CsCheck generators wherever it is used, so
/// a target's inputs from its seed do not depend on which helpers it shares.
/// </summary>
internal static class FuzzMutations
{
    /// <summary>Largest drawn offset; offsets are taken modulo the input's length.</summary>
    public const int MaxPosition = 1 << 20;

    /// <summary>Cuts the input at a drawn offset (possibly keeping all of it).</summary>
    public static Gen<Func<byte[], byte[]>> Truncations() =>
        Gen.Int[0, MaxPosition].Select(p => (Func<byte[], byte[]>)(b => b[..(p % (b.Length + 1))]));

    /// <summary>Flips one drawn bit of one drawn byte.</summary>
    public static Gen<Func<byte[], byte[]>> BitFlips() =>
        Gen.Select(Gen.Int[0, MaxPosition], Gen.Int[0, 7]).Select(t => (Func<byte[], byte[]>)(b => FlipBit(b, t.Item1, t.Item2)));

    /// <summary>Inserts bytes drawn from <paramref name="bytes"/> at a drawn offset.</summary>
    public static Gen<Func<byte[], byte[]>> Insertions(Gen<byte[]> bytes) =>
        Gen.Select(Gen.Int[0, MaxPosition], bytes).Select(t => (Func<byte[], byte[]>)(b => Insert(b, t.Item1, t.Item2)));

    /// <summary>Deletes 1 to <paramref name="maxCount"/> bytes at a drawn offset.</summary>
    public static Gen<Func<byte[], byte[]>> Deletions(int maxCount) =>
        Gen.Select(Gen.Int[0, MaxPosition], Gen.Int[1, maxCount]).Select(t => (Func<byte[], byte[]>)(b => Delete(b, t.Item1, t.Item2)));

    /// <summary>Overwrites one byte at a drawn offset with a drawn value.</summary>
    public static Gen<Func<byte[], byte[]>> Overwrites() =>
        Gen.Select(Gen.Int[0, MaxPosition], Gen.Byte).Select(t => (Func<byte[], byte[]>)(b => Overwrite(b, t.Item1, t.Item2)));

    /// <summary>Copies a chunk of 1 to <paramref name="maxCount"/> bytes from one drawn offset to another.</summary>
    public static Gen<Func<byte[], byte[]>> Splices(int maxCount) =>
        Gen.Select(Gen.Int[0, MaxPosition], Gen.Int[0, MaxPosition], Gen.Int[1, maxCount]).Select(t => (Func<byte[], byte[]>)(b => Splice(b, t.Item1, t.Item2, t.Item3)));

    /// <summary>Applies <paramref name="mutations"/> in order to <paramref name="input"/>.</summary>
    public static byte[] Apply(byte[] input, Func<byte[], byte[]>[] mutations) =>
        mutations.Aggregate(input, (bytes, mutate) => mutate(bytes));

    /// <summary>A copy of <paramref name="b"/> with bit <paramref name="bit"/> of byte <paramref name="position"/> (mod length) flipped.</summary>
    public static byte[] FlipBit(byte[] b, int position, int bit)
    {
        if (b.Length == 0)
        {
            return b;
        }

        var copy = (byte[])b.Clone();
        copy[position % copy.Length] ^= (byte)(1 << bit);
        return copy;
    }

    /// <summary>A copy of <paramref name="b"/> with byte <paramref name="position"/> (mod length) set to <paramref name="value"/>.</summary>
    public static byte[] Overwrite(byte[] b, int position, byte value)
    {
        if (b.Length == 0)
        {
            return b;
        }

        var copy = (byte[])b.Clone();
        copy[position % copy.Length] = value;
        return copy;
    }

    /// <summary><paramref name="b"/> with <paramref name="bytes"/> inserted at <paramref name="position"/> (mod length + 1).</summary>
    public static byte[] Insert(byte[] b, int position, byte[] bytes)
    {
        var at = position % (b.Length + 1);
        return [.. b.AsSpan(0, at), .. bytes, .. b.AsSpan(at)];
    }

    /// <summary><paramref name="b"/> without up to <paramref name="count"/> bytes from <paramref name="position"/> (mod length).</summary>
    public static byte[] Delete(byte[] b, int position, int count)
    {
        if (b.Length == 0)
        {
            return b;
        }

        var at = position % b.Length;
        return [.. b.AsSpan(0, at), .. b.AsSpan(at + Math.Min(count, b.Length - at))];
    }

    /// <summary><paramref name="b"/> with a copy of up to <paramref name="count"/> bytes from <paramref name="from"/> inserted at <paramref name="to"/>.</summary>
    public static byte[] Splice(byte[] b, int from, int to, int count)
    {
        if (b.Length == 0)
        {
            return b;
        }

        var start = from % b.Length;
        var chunk = b.AsSpan(start, Math.Min(count, b.Length - start)).ToArray();
        return Insert(b, to, chunk);
    }

    /// <summary><paramref name="b"/> with the first occurrence of <paramref name="from"/> (UTF-8) replaced by <paramref name="to"/>; unchanged without one.</summary>
    public static byte[] Replace(byte[] b, string from, string to)
    {
        var text = Encoding.UTF8.GetBytes(from);
        var at = b.AsSpan().IndexOf(text);
        return at < 0 ? b : [.. b.AsSpan(0, at), .. Encoding.UTF8.GetBytes(to), .. b.AsSpan(at + text.Length)];
    }
}
