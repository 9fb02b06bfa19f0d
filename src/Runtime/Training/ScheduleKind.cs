namespace StaticConvNet;

/// <summary>How a <see cref="LearningRateSchedule"/> moves the learning rate after its warm-up.</summary>
public enum ScheduleKind
{
    /// <summary>TensorFlow's <c>exponential_decay</c> (the notebook's): lr · rate^(step / decaySteps), or constant.</summary>
    Exponential,

    /// <summary>Cosine decay (<c>tf.keras.optimizers.schedules.CosineDecay</c>) to a floor.</summary>
    Cosine,
}
