using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace StaticConvNet.Data;

/// <summary>A numpy array rebuilt from a pickle: dtype code ('f4', 'i8', …), shape and raw little/big-endian bytes.</summary>
public sealed record PickledArray(string DType, char ByteOrder, int[] Shape, byte[] Data)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>Reads the subset of Python's pickle format that a notebook's notMNIST.pickle uses — dicts, strings,
/// numbers, tuples and numpy arrays — in protocols 2 to 5. It executes nothing: the only callables it accepts are
/// numpy's array and dtype reconstructors (and _codecs.encode, which Python 3 uses for bytes in protocol 2), each
/// interpreted here, not called. Any other global, or an opcode such a file never needs, is refused up front with
/// the offending name, so a hostile pickle cannot run code.</summary>
public static class RestrictedPickle
{
    private static readonly HashSet<(string, string)> AllowedGlobals =
    [
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
    ];

    private sealed record Global(string Module, string Name);
    private sealed class Mark;
    private sealed class DTypeValue(string code) { public string Code = code; public char Order = '<'; }
    private sealed class ArrayBuilder { public PickledArray? Array; }
    private static readonly object None = new();

    public static object Load(byte[] bytes, string path)
    {
        var stack = new List<object>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object>();
        var position = 0;

        byte[] Take(long count)
        {
            if (count < 0 || count > bytes.Length - position) throw Error("is truncated"); // no sum that could wrap
            var slice = bytes.AsSpan(position, (int)count).ToArray();
            position += (int)count;
            return slice;
        }
        int TakeByte() => Take(1)[0];
        // An 8-byte length beyond long's range is as truncated as any other length past the end.
        long TakeLength8() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8)) is var n && n <= long.MaxValue ? (long)n : -1;
        object Top() => stack.Count > 0 ? stack[^1] : throw Error("is malformed: it uses the top of an empty stack");
        object Pop()
        {
            if (stack.Count == 0) throw Error("is malformed: it pops from an empty stack");
            var top = Top();
            stack.RemoveAt(stack.Count - 1);
            return top;
        }
        object[] PopToMark()
        {
            if (marks.Count == 0) throw Error("is malformed: it closes a mark it never opened");
            var start = marks.Pop();
            if (start > stack.Count) throw Error("is malformed: it popped below an open mark");
            var items = stack.GetRange(start, stack.Count - start).ToArray();
            stack.RemoveRange(start, stack.Count - start);
            return items;
        }
        DataFormatException Error(string problem) => new(path, problem);

        while (true)
        {
            if (position >= bytes.Length) throw Error("is truncated: it ends before its STOP opcode");
            var opcode = bytes[position++];
            switch (opcode)
            {
                case 0x80: TakeByte(); break;                                    // PROTO
                case 0x95: Take(8); break;                                       // FRAME (length only; we read linearly)
                case (byte)'.':                                                  // STOP
                    return Unwrap(Pop(), path);
                case (byte)'}': stack.Add(new Dictionary<object, object>()); break; // EMPTY_DICT
                case (byte)']': stack.Add(new List<object>()); break;            // EMPTY_LIST
                case (byte)')': stack.Add(Array.Empty<object>()); break;         // EMPTY_TUPLE
                case (byte)'(': marks.Push(stack.Count); break;                  // MARK
                case (byte)'N': stack.Add(None); break;                          // NONE
                case 0x88: stack.Add(true); break;                               // NEWTRUE
                case 0x89: stack.Add(false); break;                              // NEWFALSE
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': stack.Add((long)TakeByte()); break;              // BININT1
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a:                                                       // LONG1
                {
                    var value = new BigInteger(Take(TakeByte()), isUnsigned: false, isBigEndian: false);
                    stack.Add(value >= long.MinValue && value <= long.MaxValue ? (long)value : throw Error("holds an integer too large for a notMNIST pickle"));
                    break;
                }
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': stack.Add(Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break; // BINUNICODE
                case 0x8c: stack.Add(Encoding.UTF8.GetString(Take(TakeByte()))); break; // SHORT_BINUNICODE
                case 0x8d: stack.Add(Encoding.UTF8.GetString(Take(TakeLength8()))); break; // BINUNICODE8
                case (byte)'T': stack.Add(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // BINSTRING (Python 2 str: raw bytes)
                case (byte)'U': stack.Add(Take(TakeByte())); break;              // SHORT_BINSTRING
                case (byte)'B': stack.Add(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // BINBYTES
                case (byte)'C': stack.Add(Take(TakeByte())); break;              // SHORT_BINBYTES
                case 0x8e: stack.Add(Take(TakeLength8())); break; // BINBYTES8
                case (byte)'t': stack.Add(PopToMark()); break;                   // TUPLE
                case 0x85: stack.Add(new[] { Pop() }); break;                    // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'a': { var item = Pop(); AsList(Top()).Add(item); break; } // APPEND
                case (byte)'e': { var items = PopToMark(); AsList(Top()).AddRange(items); break; } // APPENDS
                case (byte)'s': { var value = Pop(); var key = Pop(); AsDict(Top())[key] = value; break; } // SETITEM
                case (byte)'u':                                                  // SETITEMS
                {
                    var items = PopToMark();
                    if (items.Length % 2 != 0) throw Error("is malformed: SETITEMS with an odd number of items");
                    var dict = AsDict(Top());
                    for (var i = 0; i < items.Length; i += 2) dict[items[i]] = items[i + 1];
                    break;
                }
                case (byte)'q': memo[TakeByte()] = Top(); break;             // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Top(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Top(); break;                  // MEMOIZE
                case (byte)'h': stack.Add(Recall(memo, TakeByte(), path)); break; // BINGET
                case (byte)'j': stack.Add(Recall(memo, BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), path)); break; // LONG_BINGET
                case (byte)'c':                                                  // GLOBAL "module\nname\n"
                    stack.Add(CheckGlobal(ReadLine(bytes, ref position, path), ReadLine(bytes, ref position, path), path));
                    break;
                case 0x93:                                                       // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw Error("is malformed: STACK_GLOBAL name is not a string");
                    var module = Pop() as string ?? throw Error("is malformed: STACK_GLOBAL module is not a string");
                    stack.Add(CheckGlobal(module, name, path));
                    break;
                }
                case (byte)'R':                                                  // REDUCE
                {
                    var arguments = Pop() as object[] ?? throw Error("is malformed: REDUCE arguments are not a tuple");
                    var callable = Pop() as Global ?? throw Error("calls something that is not an allowed global");
                    stack.Add(Reduce(callable, arguments, path));
                    break;
                }
                case (byte)'b':                                                  // BUILD
                {
                    var state = Pop();
                    Build(Top(), state, path);
                    break;
                }
                default:
                    throw Error($"uses pickle opcode 0x{opcode:x2} ('{(char)opcode}') at byte {position - 1}, which a notMNIST pickle never needs; refusing to read it");
            }
        }

        List<object> AsList(object o) => o as List<object> ?? throw Error("is malformed: APPEND to something that is not a list");
        Dictionary<object, object> AsDict(object o) => o as Dictionary<object, object> ?? throw Error("is malformed: SETITEM on something that is not a dict");
    }

    private static object Recall(Dictionary<long, object> memo, long key, string path)
        => memo.TryGetValue(key, out var value) ? value : throw new DataFormatException(path, $"is malformed: it recalls memo entry {key}, which was never stored");

    private static string ReadLine(ReadOnlySpan<byte> bytes, ref int position, string path)
    {
        var end = bytes[position..].IndexOf((byte)'\n');
        if (end < 0) throw new DataFormatException(path, "is truncated inside a GLOBAL name");
        var text = Encoding.ASCII.GetString(bytes.Slice(position, end));
        position += end + 1;
        return text;
    }

    private static Global CheckGlobal(string module, string name, string path)
        => AllowedGlobals.Contains((module, name))
            ? new Global(module, name)
            : throw new DataFormatException(path, $"names the Python global {module}.{name}; a notMNIST pickle only needs numpy array reconstruction, so it is refused (it could run code)");

    private static object Reduce(Global callable, object[] arguments, string path)
    {
        switch (callable.Name)
        {
            case "_reconstruct" when arguments is [Global { Name: "ndarray" }, ..]:
                return new ArrayBuilder();
            case "dtype" when arguments.Length > 0 && Text(arguments[0]) is { } code:
                return new DTypeValue(code);
            case "encode" when arguments is [string text, string encoding] && encoding is "latin1" or "latin-1":
                return Encoding.Latin1.GetBytes(text);
            default:
                throw new DataFormatException(path, $"calls {callable.Module}.{callable.Name} with arguments this reader does not accept");
        }
    }

    private static void Build(object target, object state, string path)
    {
        switch (target)
        {
            case DTypeValue dtype when state is object[] { Length: >= 2 } s && Text(s[1]) is { Length: 1 } order:
                dtype.Order = order[0];
                break;
            case ArrayBuilder builder when state is object[] { Length: 5 } s:
            {
                if (s[1] is not object[] shape || s[2] is not DTypeValue dtype) throw new DataFormatException(path, "holds an array with a malformed shape or dtype");
                if (s[3] is true) throw new DataFormatException(path, "holds a Fortran-ordered array, which notebooks never write");
                var data = s[4] as byte[] ?? throw new DataFormatException(path, "holds an array whose data is not raw bytes (an object array?)");
                var dims = shape.Select(d => d is long n && n >= 0 && n <= int.MaxValue ? (int)n : throw new DataFormatException(path, "holds an array with a negative or huge dimension")).ToArray();
                // The element count in arithmetic that cannot wrap: (16, 2^30, 2^30) must not come out as 0.
                var elements = dims.Aggregate(1.0, (product, d) => product * d);
                if (elements > Array.MaxLength)
                    throw new DataFormatException(path, $"holds an array of shape ({string.Join(", ", dims)}): {elements:G3} elements, more than any array holds");
                builder.Array = new PickledArray(dtype.Code, dtype.Order, dims, data);
                break;
            }
            default:
                throw new DataFormatException(path, "sets state (BUILD) on something that is not a numpy array or dtype");
        }
    }

    /// <summary>A Python 3 str, or a Python 2 str (which pickles as bytes), as text; null for anything else.</summary>
    private static string? Text(object value) => value switch
    {
        string text => text,
        byte[] bytes => Encoding.Latin1.GetString(bytes),
        _ => null,
    };

    /// <summary>How deep dicts and tuples may nest: a notebook's pickle nests two; a recursive walk of a file that
    /// nests hundreds of thousands deep (a few bytes a level) would overflow the stack, which ends the process.</summary>
    private const int MaxNesting = 64;

    /// <summary>Replaces array builders by their arrays and None by null, through dicts and tuples. Each dict or tuple
    /// is unwrapped once however many times the file refers to it (through the memo a file can refer to one twice at
    /// every level, 2^n paths for n levels), and one that holds itself is refused.</summary>
    private static object Unwrap(object value, string path)
    {
        var done = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        var open = new HashSet<object>(ReferenceEqualityComparer.Instance);
        object Walk(object value, int depth)
        {
            if (value is not (Dictionary<object, object> or object[])) return Leaf(value, path);
            if (done.TryGetValue(value, out var unwrapped)) return unwrapped;
            if (!open.Add(value)) throw new DataFormatException(path, "holds a dict or tuple that contains itself");
            if (depth > MaxNesting) throw new DataFormatException(path, $"nests dicts and tuples more than {MaxNesting} deep");
            if (value is object[] tuple) unwrapped = tuple.Select(v => Walk(v, depth + 1)).ToArray();
            else
            {
                var dict = new Dictionary<object, object>();
                foreach (var (key, item) in (Dictionary<object, object>)value)
                {
                    var name = Text(key) ?? Walk(key, depth + 1) ?? throw new DataFormatException(path, "holds a dict with the key None");
                    if (!dict.TryAdd(name, Walk(item, depth + 1))) throw new DataFormatException(path, $"holds the key {name} twice in one dict");
                }
                unwrapped = dict;
            }
            open.Remove(value);
            done[value] = unwrapped;
            return unwrapped;
        }
        return Walk(value, 0);
    }

    /// <summary>An array builder's array, null for None, anything else as it is.</summary>
    private static object Leaf(object value, string path) => value switch
    {
        ArrayBuilder { Array: { } array } => array,
        ArrayBuilder => throw new DataFormatException(path, "holds an array that was never given its data"),
        _ when ReferenceEquals(value, None) => null!,
        _ => value,
    };
}
