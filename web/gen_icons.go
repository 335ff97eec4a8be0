//go:build ignore

// gen_icons writes the app icons named in the web manifest
// (go generate ./web).
package main

import (
	"fmt"
	"image/png"
	"log"
	"os"

	"legwork/web"
)

func main() {
	for _, size := range []int{192, 512} {
		f, err := os.Create(fmt.Sprintf("static/icons/icon-%d.png", size))
		if err != nil {
			log.Fatal(err)
		}
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(f, web.Icon(size)); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
