using System.Globalization;

namespace Monitoring.Datasets;

/// <summary>
/// Walks a Parquet footer's Thrift compact bytes the way Parquet.Net's <c>FileMetaData.Read</c> will read them, building
/// nothing, so that the work of that parse is known to be bounded before it starts. Parquet.Net reads a known field by
/// its id as the type its table says (<see cref="ParquetFooterFields"/>), whatever the field header's type, and skips an
/// unknown one by the header's type with its quirks: a struct's skip reads only the field headers, and a list of booleans
/// is skipped element by element without reading a byte (a 7-byte list header asks for up to 2^31 - 1 steps). The walk
/// refuses, before Parquet.Net allocates or loops:
/// <list type="bullet">
/// <item>a list whose declared size is larger than the bytes left in the footer (every element takes a byte at least);</item>
/// <item>lists that declare more elements in all than the footer has bytes (what bounds the skipped boolean lists, the
/// only loop of the parse that reads nothing: with the bytes themselves, the parse takes at most twice the footer's length
/// in steps);</item>
/// <item>a binary or string longer than the bytes left (Parquet.Net allocates the declared length before it reads);</item>
/// <item>nesting deeper than <see cref="MaxDepth"/> (Parquet.Net's skip of a list of lists recurses once per level).</item>
/// </list>
/// Where Parquet.Net itself will throw (the footer's end, a type it cannot skip such as a map or set, a negative size),
/// the walk stops there and leaves the error to Parquet.Net. <see cref="ParquetFooter"/> checks afterwards that
/// Parquet.Net's parse ended where the walk did, so a walk that drifts from Parquet.Net (a new version) fails loudly.
/// <see cref="GuardedReadStream"/> walks each page header the same way (root <c>PageHeader</c>) before Parquet.Net reads it.
/// </summary>
internal static class ParquetFooterWalk
{
    /// <summary>Structs and lists nested deeper than this are refused (Parquet.Net's own footer structs nest 8 deep).</summary>
    public const int MaxDepth = 64;

    /// <summary>Walks <paramref name="footer"/> (the Thrift bytes of <c>FileMetaData</c>, without the length and magic).</summary>
    public static FooterWalkResult Walk(ReadOnlySpan<byte> footer)
    {
        long elementsLeft = footer.Length;
        return Walk(footer, ParquetFooterFields.FileMetaData, "footer", "the footer's end", $"its {footer.Length} bytes can hold", ref elementsLeft);
    }

    /// <summary>
    /// Walks a <paramref name="root"/> struct at the start of <paramref name="bytes"/> (a page header: the file from its
    /// first byte on); <paramref name="elementsLeft"/> is the budget of declared list elements, shared by the walks of a file.
    /// </summary>
    /// <param name="bytes">The struct's bytes and whatever follows it.</param>
    /// <param name="root">The struct Parquet.Net reads there.</param>
    /// <param name="what">What the bytes are, for messages ("footer", "page header at byte 4").</param>
    /// <param name="end">What ends them, for messages ("the footer's end").</param>
    /// <param name="budget">What the element budget is, for messages ("its 507 bytes can hold").</param>
    /// <param name="elementsLeft">Declared list elements still allowed; lowered by the walk.</param>
    public static FooterWalkResult Walk(ReadOnlySpan<byte> bytes, FooterStruct root, string what, string end, string budget, ref long elementsLeft)
    {
        var walker = new Walker(bytes, what, end, budget, elementsLeft);
        try
        {
            walker.Struct(root, 1, default);
            return new FooterWalkResult(FooterWalkOutcome.Completed, walker.Position, null, walker.UnknownFields);
        }
        catch (ParquetNetThrows e)
        {
            return new FooterWalkResult(FooterWalkOutcome.ParquetNetThrows, walker.Position, e.Message, walker.UnknownFields);
        }
        catch (Refused e)
        {
            return new FooterWalkResult(FooterWalkOutcome.Refused, walker.Position, e.Message, walker.UnknownFields);
        }
        finally
        {
            elementsLeft = walker.ElementsLeft;
        }
    }

    /// <summary>The walk's state; the methods mirror <c>ThriftCompactProtocolReader</c> and the generated <c>Read</c> methods.</summary>
    private ref struct Walker(ReadOnlySpan<byte> footer, string what, string end, string budget, long elementsLeft)
    {
        private const int CompactBooleanTrue = 1;
        private const int CompactBooleanFalse = 2;
        private const int CompactByte = 3;
        private const int CompactI16 = 4;
        private const int CompactI32 = 5;
        private const int CompactI64 = 6;
        private const int CompactDouble = 7;
        private const int CompactBinary = 8;
        private const int CompactList = 9;
        private const int CompactStruct = 12;

        private readonly ReadOnlySpan<byte> _footer = footer;
        private readonly string _what = what;
        private readonly string _end = end;
        private readonly string _budget = budget;

        public int Position { get; private set; }

        public long ElementsLeft { get; private set; } = elementsLeft;

        public int UnknownFields { get; private set; }

        private readonly int Left => _footer.Length - Position;

        /// <summary>A struct read by <paramref name="type"/>'s <c>Read</c>: known fields by the table, the rest skipped.</summary>
        public void Struct(FooterStruct type, int depth, Where where)
        {
            Enter(depth, where);
            short last = 0;
            while (Field(ref last) is { } header)
            {
                var (id, compactType) = header;
                if (type.Field(id) is { } field)
                {
                    Known(field, depth, new Where(type, id, field));
                }
                else
                {
                    UnknownFields++;
                    Skip(compactType, depth, new Where(type, id, null));
                }
            }
        }

        private void Known(FooterField field, int depth, Where where)
        {
            switch (field.Kind)
            {
                case FooterValue.Bool:
                    break; // the value is the header's type: CompactType.BooleanTrue or not
                case FooterValue.List:
                    // ReadListHeader(out _): the element type on the wire is ignored; then new List<T>(size), then the elements.
                    Enter(depth + 1, where);
                    var size = ListHeader(out _);
                    if (size < 0)
                    {
                        throw new ParquetNetThrows($"{where}: new List of {size} elements");
                    }

                    Declare(size, where);
                    for (var i = 0; i < size; i++)
                    {
                        Value(field.Element, field.Type, depth + 1, where);
                    }

                    break;
                default:
                    Value(field.Kind, field.Type, depth, where);
                    break;
            }
        }

        private void Value(FooterValue kind, FooterStruct? type, int depth, Where where)
        {
            switch (kind)
            {
                case FooterValue.I8:
                    Byte();
                    break;
                case FooterValue.I16:
                case FooterValue.I32:
                case FooterValue.I64:
                    VarInt();
                    break;
                case FooterValue.Double:
                    Bytes(8);
                    break;
                case FooterValue.Binary:
                    Binary(where);
                    break;
                case FooterValue.Struct:
                    Struct(type!, depth + 1, where);
                    break;
                default:
                    throw new InvalidOperationException($"The footer walk cannot read a {kind} value ({where}).");
            }
        }

        /// <summary><c>ThriftCompactProtocolReader.SkipField</c>, quirks included.</summary>
        private void Skip(int compactType, int depth, Where where)
        {
            switch (compactType)
            {
                case CompactBooleanTrue:
                case CompactBooleanFalse:
                    break;
                case CompactByte:
                    Bytes(1); // Seek(1, SeekOrigin.Current)
                    break;
                case CompactI16:
                case CompactI32:
                case CompactI64:
                    VarInt();
                    break;
                case CompactDouble:
                    Bytes(8);
                    break;
                case CompactBinary:
                    Binary(where);
                    break;
                case CompactStruct:
                    // Parquet.Net reads the skipped struct's field headers only, not their values.
                    Enter(depth + 1, where);
                    short last = 0;
                    while (Field(ref last) is not null)
                    {
                    }

                    break;
                case CompactList:
                    Enter(depth + 1, where);
                    var size = ListHeader(out var elementType);
                    if (size <= 0)
                    {
                        break; // for (i = 0; i < size; ...) does nothing
                    }

                    Declare(size, where);
                    if (elementType is CompactBooleanTrue or CompactBooleanFalse)
                    {
                        break; // Parquet.Net loops size times reading nothing: counted against the budget by Declare
                    }

                    for (var i = 0; i < size; i++)
                    {
                        Skip(elementType, depth + 1, where);
                    }

                    break;
                default:
                    // Stop, set, map, UUID and the undefined types: SkipField throws ThriftProtocolException.
                    throw new ParquetNetThrows($"{where}: a value of compact type {compactType}, which Parquet.Net does not skip");
            }
        }

        /// <summary><c>ReadNextField</c>: null at the struct's stop byte.</summary>
        private (short Id, int CompactType)? Field(ref short last)
        {
            var header = Byte();
            if (header == 0)
            {
                return null;
            }

            var modifier = (short)((header & 0xF0) >> 4);
            var id = modifier == 0 ? (short)ZigzagToInt(VarInt()) : (short)(last + modifier);
            last = id;
            return (id, header & 0x0F);
        }

        /// <summary><c>ReadListHeader</c>: the size in the high nibble, or 15 there and a varint after.</summary>
        private int ListHeader(out int elementType)
        {
            var sizeAndType = Byte();
            var size = (sizeAndType >> 4) & 0x0F;
            if (size == 15)
            {
                size = (int)VarInt();
            }

            elementType = sizeAndType & 0x0F;
            return size;
        }

        /// <summary>A list of <paramref name="size"/> elements begins: it must fit in the bytes left and in the footer's element budget.</summary>
        private void Declare(int size, Where where)
        {
            if (size > Left)
            {
                throw new Refused(string.Create(CultureInfo.InvariantCulture,
                    $"the {_what}'s {where} is a list of {size} elements in {Left} bytes: it runs past {_end}"));
            }

            ElementsLeft -= size;
            if (ElementsLeft < 0)
            {
                throw new Refused(string.Create(CultureInfo.InvariantCulture,
                    $"the {_what}'s lists declare more elements in all than {_budget} (at {where}, a list of {size})"));
            }
        }

        /// <summary><c>ReadBinary</c>/<c>ReadString</c>: a varint length, then that many bytes, allocated before they are read.</summary>
        private void Binary(Where where)
        {
            var length = (int)VarInt();
            if (length < 0)
            {
                throw new ParquetNetThrows($"{where}: new byte[{length}]");
            }

            if (length > Left)
            {
                throw new Refused(string.Create(CultureInfo.InvariantCulture,
                    $"the {_what}'s {where} is a binary value of {length} bytes in {Left} bytes: it runs past {_end}"));
            }

            Position += length;
        }

        private readonly void Enter(int depth, Where where)
        {
            if (depth > MaxDepth)
            {
                throw new Refused($"the {_what} nests lists and structs deeper than {MaxDepth} levels (at {where})");
            }
        }

        private byte Byte()
        {
            if (Position >= _footer.Length)
            {
                throw new ParquetNetThrows("the footer's end");
            }

            return _footer[Position++];
        }

        private void Bytes(int count)
        {
            if (count > Left)
            {
                throw new ParquetNetThrows("the footer's end");
            }

            Position += count;
        }

        /// <summary><c>ReadVarInt32</c>: bytes up to one without the continuation bit, as Parquet.Net computes it (the shift wraps).</summary>
        private uint VarInt()
        {
            uint result = 0;
            var shift = 0;
            while (true)
            {
                var b = Byte();
                result |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) != 0x80)
                {
                    return result;
                }

                shift += 7;
            }
        }

        private static int ZigzagToInt(uint n) => (int)(n >> 1) ^ -(int)(n & 1);
    }

    /// <summary>Where in the footer a value is, for messages: a known field by name, an unknown one by id.</summary>
    private readonly record struct Where(FooterStruct? Parent, short Id, FooterField? Field)
    {
        public override string ToString() =>
            Parent is null ? "FileMetaData"
            : Field is null ? string.Create(CultureInfo.InvariantCulture, $"unknown field {Id} of {Parent.Name}")
            : $"{Parent.Name}.{Field.Name}";
    }

    /// <summary>The walk stops where Parquet.Net's parse throws by itself.</summary>
    private sealed class ParquetNetThrows(string where) : Exception(where);

    /// <summary>The walk refuses the footer (the message is the reason).</summary>
    private sealed class Refused(string reason) : Exception(reason);
}

/// <summary>How a <see cref="ParquetFooterWalk"/> ended.</summary>
internal enum FooterWalkOutcome
{
    /// <summary>The footer's struct ended at <see cref="FooterWalkResult.Position"/>: Parquet.Net's parse returns there.</summary>
    Completed,

    /// <summary>Parquet.Net's parse throws by itself at <see cref="FooterWalkResult.Position"/>, after bounded work.</summary>
    ParquetNetThrows,

    /// <summary>Parquet.Net's parse would allocate or loop beyond the footer's size: refused (<see cref="FooterWalkResult.Reason"/>).</summary>
    Refused,
}

/// <summary>The end of a <see cref="ParquetFooterWalk"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Position">The footer byte where it ended.</param>
/// <param name="Reason">Why Parquet.Net throws, or why the footer is refused; null when <see cref="FooterWalkOutcome.Completed"/>.</param>
/// <param name="UnknownFields">Fields the walk skipped as unknown to Parquet.Net.</param>
internal readonly record struct FooterWalkResult(FooterWalkOutcome Outcome, int Position, string? Reason, int UnknownFields);

/// <summary>The kind of value Parquet.Net reads for a known footer field.</summary>
internal enum FooterValue : byte
{
    /// <summary>No element kind (not a list).</summary>
    None,

    /// <summary>A bool field: its value is the field header's type, no byte of its own.</summary>
    Bool,

    /// <summary>One byte.</summary>
    I8,

    /// <summary>A zigzag varint.</summary>
    I16,

    /// <summary>A zigzag varint (enums too).</summary>
    I32,

    /// <summary>A zigzag varint.</summary>
    I64,

    /// <summary>Eight bytes.</summary>
    Double,

    /// <summary>A varint length, then that many bytes (strings too).</summary>
    Binary,

    /// <summary>A struct, read by its own field table.</summary>
    Struct,

    /// <summary>A list header, then its elements.</summary>
    List,
}

/// <summary>A field Parquet.Net's footer parse reads by id.</summary>
/// <param name="Id">The Thrift field id.</param>
/// <param name="Name">Parquet.Net's property name.</param>
/// <param name="Kind">What is read.</param>
/// <param name="Element">For a list, what each element is.</param>
/// <param name="Type">For a struct or a list of structs, the struct.</param>
internal sealed record FooterField(short Id, string Name, FooterValue Kind, FooterValue Element = FooterValue.None, FooterStruct? Type = null);

/// <summary>A footer struct and the fields Parquet.Net's <c>Read</c> for it knows.</summary>
internal sealed class FooterStruct(string name, FooterField[] fields)
{
    private readonly Dictionary<short, FooterField> _fields = fields.ToDictionary(f => f.Id);

    /// <summary>Parquet.Net's class name.</summary>
    public string Name { get; } = name;

    /// <summary>The known fields, in id order.</summary>
    public IReadOnlyList<FooterField> Fields { get; } = fields;

    /// <summary>The field with id <paramref name="id"/>, or null when Parquet.Net skips it.</summary>
    public FooterField? Field(short id) => _fields.GetValueOrDefault(id);
}
