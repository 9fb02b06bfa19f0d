using Microsoft.CodeAnalysis;
using StaticConvNet.Generator.Model;

namespace StaticConvNet.Generator.Parsing;

/// <summary>How a kind made of blocks reads the classes its attribute names.</summary>
internal interface IBlockReader
{
    /// <summary>The <c>[Block]</c> class <paramref name="type"/> as parsed, or null: after reporting on the attribute why
    /// it cannot be one (not a block, a block that uses itself), or when the block has errors of its own, which its own
    /// declaration reports.</summary>
    /// <param name="argument">The argument as messages name it, e.g. "Shortcut".</param>
    BlockSpec? Read(ITypeSymbol? type, AttributeReader attribute, string argument);
}
