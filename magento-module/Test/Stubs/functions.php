<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

/**
 * Test stand-in for Magento's global translation function (Magento/Framework/Phrase/__.php): an
 * untranslated Phrase, the arguments given one by one or as one array.
 *
 * @param array $argc The text, then its arguments.
 * @return \Magento\Framework\Phrase
 */
function __(...$argc) // phpcs:ignore PSR1.Methods.CamelCapsMethodName
{
    $text = array_shift($argc);
    if (!empty($argc) && is_array($argc[0])) {
        $argc = $argc[0];
    }
    return new \Magento\Framework\Phrase($text, $argc);
}
