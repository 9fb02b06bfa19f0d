// The page calls the classifier through the [JSExport] methods of LetterExports once the runtime has started; Main has
// nothing to do.
return;
