using System.Buffers.Binary;
using System.Text;

namespace StaticConvNet.Tests.Support;

/// <summary>Writes pickles opcode by opcode, as Python's pickler does for a notebook's dict of numpy arrays, so
/// tests can make well-formed, malformed and hostile files without Python.</summary>
public sealed class PickleBuilder
{
    private readonly MemoryStream _bytes = new();

    public PickleBuilder Op(byte opcode) { _bytes.WriteByte(opcode); return this; }
    public PickleBuilder Raw(byte[] bytes) { _bytes.Write(bytes); return this; }
    public PickleBuilder Text(string text) => Raw(Encoding.ASCII.GetBytes(text));

    public PickleBuilder Protocol(byte version) => Op(0x80).Op(version);
    public PickleBuilder Mark() => Op((byte)'(');
    public PickleBuilder Unicode(string s) { var b = Encoding.UTF8.GetBytes(s); Op((byte)'X'); Int32(b.Length); return Raw(b); }
    public PickleBuilder Bytes(byte[] b) { Op((byte)'B'); Int32(b.Length); return Raw(b); }
    public PickleBuilder Int(int value) { Op((byte)'J'); return Int32(value); }
    public PickleBuilder Global(string module, string name) => Op((byte)'c').Text($"{module}\n{name}\n");
    public PickleBuilder Tuple() => Op((byte)'t');
    public PickleBuilder Reduce() => Op((byte)'R');
    public PickleBuilder Build() => Op((byte)'b');
    public PickleBuilder None() => Op((byte)'N');
    public PickleBuilder False() => Op(0x89);
    public PickleBuilder Stop() => Op((byte)'.');

    private PickleBuilder Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        _bytes.Write(b);
        return this;
    }

    /// <summary>numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') then __setstate__((1, shape, dtype, False, data)).</summary>
    public PickleBuilder Array(string dtype, int[] shape, byte[] data)
    {
        Global("numpy.core.multiarray", "_reconstruct").Global("numpy", "ndarray").Mark().Int(0).Tuple().Bytes("b"u8.ToArray()).Op(0x87).Reduce();
        Mark().Int(1).Mark();
        foreach (var d in shape) Int(d);
        Tuple();
        Global("numpy", "dtype").Unicode(dtype).False().Op(0x88).Op(0x87).Reduce();
        Mark().Int(3).Unicode("<").None().None().None().Int(-1).Int(-1).Int(0).Tuple().Build();
        return False().Bytes(data).Tuple().Build();
    }

    public static byte[] Floats(IEnumerable<float> values)
        => values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }).ToArray();

    public static byte[] Int64s(IEnumerable<long> values)
        => values.SelectMany(v => { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }).ToArray();

    /// <summary>A complete notebook pickle with a train split of <paramref name="count"/> images.</summary>
    public static byte[] Notebook(int count, Func<int, float>? pixel = null, Func<int, long>? label = null, string dtype = "f4", int[]? shape = null)
    {
        var builder = new PickleBuilder().Protocol(2).Op((byte)'}').Mark();
        builder.Unicode("train_dataset").Array(dtype, shape ?? [count, 28, 28], Floats(Enumerable.Range(0, count * 784).Select(i => pixel?.Invoke(i) ?? 0.25f)));
        builder.Unicode("train_labels").Array("i8", [count], Int64s(Enumerable.Range(0, count).Select(i => label?.Invoke(i) ?? i % 10)));
        return builder.Op((byte)'u').Stop().ToArray();
    }

    public byte[] ToArray() => _bytes.ToArray();
}
