using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using StaticConvNet.Interop;
using StaticConvNet.Models;

namespace StaticConvNet.Bench;

/// <summary>The same single-image inference as <see cref="SingleImageInference"/>, through ONNX Runtime on the graph
/// `scn export-onnx` writes: one intra-op thread, every graph optimisation, input and output bound once to
/// preallocated buffers, so what is timed is ONNX Runtime's own run.</summary>
[MemoryDiagnoser]
public class OnnxRuntimeInference
{
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _input = null!, _output = null!;
    private float[] _image = null!, _logits = null!;
    private string[] _inputNames = null!, _outputNames = null!;
    private OrtValue[] _inputs = null!, _outputs = null!;

    [Params("arch1", "arch2", "arch3", "arch4")]
    public string Model { get; set; } = "arch2";

    [GlobalSetup]
    public void Setup()
    {
        var network = ModelCatalog.Find(Model)!.Create();
        network.InitializeParameters(1);
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(OnnxExport.Export(network), options);
        _runOptions = new RunOptions();
        var (_, valid) = BundledData.Load();
        _image = valid.Image(0).ToArray();
        _logits = new float[network.OutputLength];
        _input = OrtValue.CreateTensorValueFromMemory(_image, [1, 28, 28, 1]);
        _output = OrtValue.CreateTensorValueFromMemory(_logits, [1, network.OutputLength]);
        (_inputNames, _outputNames) = ([OnnxExport.InputName], [OnnxExport.OutputName]);
        (_inputs, _outputs) = ([_input], [_output]);
    }

    [Benchmark]
    public float Run()
    {
        _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return _logits[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
