<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework;

/**
 * Test stand-in for Magento's translatable phrase: renders %1, %2... placeholders without translating.
 */
class Phrase
{
    private string $text;

    /**
     * @var array<int|string, mixed>
     */
    private array $arguments;

    /**
     * Keep the text and its arguments.
     *
     * @param string $text
     * @param array<int|string, mixed> $arguments
     */
    public function __construct($text, array $arguments = [])
    {
        $this->text = (string) $text;
        $this->arguments = $arguments;
    }

    /**
     * Return the text with its placeholders replaced.
     *
     * @return string
     */
    public function render()
    {
        // As Magento\Framework\Phrase\Renderer\Placeholder: %1, %2 for a list, %name for a named argument.
        $replacements = [];
        foreach ($this->arguments as $key => $argument) {
            $replacements['%' . (is_int($key) ? $key + 1 : $key)] = (string) $argument;
        }
        return strtr($this->text, $replacements);
    }

    /**
     * Return the text without placeholders substituted.
     *
     * @return string
     */
    public function getText()
    {
        return $this->text;
    }

    /**
     * Render the phrase.
     *
     * @return string
     */
    public function __toString()
    {
        return $this->render();
    }
}
