package lsp

// TagsListed returns a channel that is closed once the tag listing of repo started by Tags has
// finished and its answer is in place (at once when none is running). Tests wait on it instead
// of polling.
func (b *BaseImageService) TagsListed(repo string) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.tagLists[repo]; e != nil && e.done != nil {
		return e.done
	}
	ch := make(chan struct{})
	close(ch)
	return ch
}
